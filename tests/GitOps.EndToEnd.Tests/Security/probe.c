/*
 * The security tests' probe, built with gcc -static at test time and bind-mounted into containers.
 * Raw syscall(2) for everything, so neither the image's libc nor libc's fallbacks change what the
 * kernel and the seccomp filter answer.
 *
 *   probe syscalls          one line per call: NAME=ok or NAME=ERRNO-NAME (each call in its own child)
 *   probe keyadd RING DESC  add a "user" key to RING (s: session, u: user, us: user-session); print its serial
 *   probe keyfind DESC      request_key's standard search (thread, process, session keyrings): found or ERRNO
 *   probe keydesc           the session keyring's description (type;uid;gid;perm;name)
 *   probe keyrm SERIAL      invalidate a key
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY_SPEC_SESSION_KEYRING -3
#define KEY_SPEC_USER_KEYRING -4
#define KEY_SPEC_USER_SESSION_KEYRING -5
#define KEYCTL_GET_KEYRING_ID 0
#define KEYCTL_DESCRIBE 6
#define KEYCTL_INVALIDATE 21

static const char *name_of(int e) { return e == 0 ? "ok" : strerrorname_np(e); }

static long call(const char *name)
{
    if (!strcmp(name, "unshare_newuser")) return unshare(0x10000000 /* CLONE_NEWUSER */);
    if (!strcmp(name, "keyctl")) return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    if (!strcmp(name, "add_key")) return syscall(SYS_add_key, "user", "probe", "x", 1, KEY_SPEC_SESSION_KEYRING);
    if (!strcmp(name, "io_uring_setup")) {
        static uint8_t params[120];
        return syscall(425, 1, params);
    }
    if (!strcmp(name, "userfaultfd")) return syscall(323, 02000000 /* O_CLOEXEC */ | 1 /* UFFD_USER_MODE_ONLY */);
    if (!strcmp(name, "perf_event_open")) {
        static uint64_t attr[16]; /* a zeroed struct perf_event_attr of 128 bytes */
        attr[0] = 1 /* PERF_TYPE_SOFTWARE */ | ((uint64_t)sizeof attr << 32);
        attr[1] = 0; /* PERF_COUNT_SW_CPU_CLOCK */
        attr[5] = 1 << 5 | 1 << 6; /* exclude_kernel, exclude_hv: allowed with perf_event_paranoid 2 */
        return syscall(298, attr, 0, -1, -1, 0);
    }
    if (!strcmp(name, "personality_bsd")) return syscall(SYS_personality, 0x0006);
    if (!strcmp(name, "personality_query")) return syscall(SYS_personality, 0xffffffff) < 0 ? -1 : 0;
    if (!strcmp(name, "clone3")) return syscall(435, NULL, 0);
    if (!strcmp(name, "nr1000")) return syscall(1000);
    if (!strcmp(name, "getpid")) return syscall(SYS_getpid) > 0 ? 0 : -1;
    errno = EINVAL;
    return -1;
}

static int syscalls(void)
{
    static const char *names[] = { "unshare_newuser", "keyctl", "add_key", "io_uring_setup", "userfaultfd",
        "perf_event_open", "personality_bsd", "personality_query", "clone3", "nr1000", "getpid" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            long r = call(names[i]);
            _exit(r < 0 ? errno : 0);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) < 0) { perror("fork"); return 2; }
        if (WIFSIGNALED(status)) printf("%s=signal%d\n", names[i], WTERMSIG(status));
        else printf("%s=%s\n", names[i], name_of(WEXITSTATUS(status)));
    }
    return 0;
}

static long ring(const char *r)
{
    if (!strcmp(r, "s")) return KEY_SPEC_SESSION_KEYRING;
    if (!strcmp(r, "u")) return KEY_SPEC_USER_KEYRING;
    if (!strcmp(r, "us")) return KEY_SPEC_USER_SESSION_KEYRING;
    fprintf(stderr, "unknown keyring %s\n", r);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "syscalls")) return syscalls();
    if (argc == 4 && !strcmp(argv[1], "keyadd")) {
        long id = syscall(SYS_add_key, "user", argv[3], "secret", 6, ring(argv[2]));
        if (id < 0) { printf("%s\n", name_of(errno)); return 1; }
        printf("%ld\n", id);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "keyfind")) {
        long id = syscall(SYS_request_key, "user", argv[2], NULL, 0);
        printf("%s\n", id < 0 ? name_of(errno) : "found");
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "keydesc")) {
        char buf[512] = { 0 };
        long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, KEY_SPEC_SESSION_KEYRING, buf, sizeof buf - 1);
        printf("%s\n", n < 0 ? name_of(errno) : buf);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "keyrm")) {
        long r = syscall(SYS_keyctl, KEYCTL_INVALIDATE, atol(argv[2]));
        printf("%s\n", r < 0 ? name_of(errno) : "ok");
        return 0;
    }
    fprintf(stderr, "usage: probe syscalls | keyadd RING DESC | keyfind DESC | keydesc | keyrm SERIAL\n");
    return 2;
}
