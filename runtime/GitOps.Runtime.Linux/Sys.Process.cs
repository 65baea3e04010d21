using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

/// <summary>How a process ended, in the shell's terms: exit code, or 128+signal.</summary>
public readonly record struct ExitStatus(int Code, int Signal, bool CoreDumped)
{
    public bool Signaled => Signal != 0;
    /// <summary>Docker and shells report death by signal N as 128+N.</summary>
    public int ShellCode => Signaled ? 128 + Signal : Code;
}

/// <summary>A file descriptor that the spawned process gets at a fixed number.</summary>
public readonly record struct FdMapping(int Source, int Target);

public static unsafe partial class Sys
{
    [LibraryImport(Libc)] private static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_init(void* fa);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_destroy(void* fa);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_adddup2(void* fa, int fd, int newfd);
    [LibraryImport(Libc)] private static partial int posix_spawn_file_actions_addclosefrom_np(void* fa, int from);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_init(void* attr);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_destroy(void* attr);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_setflags(void* attr, short flags);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_setsigmask(void* attr, void* set);
    [LibraryImport(Libc)] private static partial int posix_spawnattr_setsigdefault(void* attr, void* set);
    [LibraryImport(Libc, EntryPoint = "sigemptyset")] private static partial int SigEmptySet(void* set);
    [LibraryImport(Libc, EntryPoint = "sigfillset")] private static partial int SigFillSet(void* set);

    const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;

    /// <summary>
    /// posix_spawn(3): how the engine starts container helpers and every process that must get an exact
    /// set of descriptors. glibc implements it with clone(CLONE_VM|CLONE_VFORK) and runs no managed code
    /// in the child, which is what a multithreaded .NET process needs. Plain host tools the daemon runs
    /// (nft, the supervised etcd) start through System.Diagnostics.Process instead, whose
    /// native helper also execs at once; they inherit nothing but stdio, as .NET opens every descriptor
    /// close-on-exec. The child gets exactly <paramref name="fds"/> (everything
    /// else is closed), default signal dispositions and an empty signal mask (the runtime ignores
    /// SIGPIPE, and ignored signals would otherwise survive exec).
    /// </summary>
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env,
        IReadOnlyList<FdMapping> fds, bool newSession = false)
    {
        // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336; leave headroom.
        var fa = NativeMemory.AllocZeroed(512);
        var attr = NativeMemory.AllocZeroed(1024);
        var sigs = NativeMemory.AllocZeroed(256);
        try
        {
            posix_spawn_file_actions_init(fa);
            posix_spawnattr_init(attr);
            // Two-step dup2 so that a mapping whose target is another mapping's source is not clobbered:
            // first park every source above the highest target, then place them.
            var park = 100 + fds.Count;
            foreach (var m in fds) park = Math.Max(park, Math.Max(m.Source, m.Target) + 1);
            for (var i = 0; i < fds.Count; i++)
                ThrowIfNonZero(posix_spawn_file_actions_adddup2(fa, fds[i].Source, park + i), "posix_spawn_file_actions_adddup2");
            for (var i = 0; i < fds.Count; i++)
                ThrowIfNonZero(posix_spawn_file_actions_adddup2(fa, park + i, fds[i].Target), "posix_spawn_file_actions_adddup2");
            var highest = fds.Count == 0 ? -1 : fds.Max(m => m.Target);
            ThrowIfNonZero(posix_spawn_file_actions_addclosefrom_np(fa, highest + 1), "posix_spawn_file_actions_addclosefrom_np");

            SigFillSet(sigs);
            posix_spawnattr_setsigdefault(attr, sigs);
            SigEmptySet(sigs);
            posix_spawnattr_setsigmask(attr, sigs);
            var flags = (short)(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (newSession ? POSIX_SPAWN_SETSID : 0));
            posix_spawnattr_setflags(attr, flags);

            var p = Z(path);
            using var a = new CStringArray(argv);
            using var e = new CStringArray(env);
            int pid;
            int rc;
            fixed (byte* pp = p) rc = posix_spawn(&pid, pp, fa, attr, a.Pointer, e.Pointer);
            if (rc != 0) throw new ErrnoException((Errno)rc, "posix_spawn", path);
            return pid;
        }
        finally
        {
            posix_spawn_file_actions_destroy(fa);
            posix_spawnattr_destroy(attr);
            NativeMemory.Free(fa); NativeMemory.Free(attr); NativeMemory.Free(sigs);
        }
    }

    static void ThrowIfNonZero(int rc, string call)
    {
        if (rc != 0) throw new ErrnoException((Errno)rc, call);
    }

    /// <summary>A pidfd: a handle on one process that cannot be confused with a later process of the same pid.</summary>
    public static SafeFd PidfdOpen(int pid) =>
        new((int)Check(syscall(Syscalls.PidfdOpen, pid, 0), "pidfd_open", pid.ToString()));

    public static SafeFd? TryPidfdOpen(int pid)
    {
        var fd = syscall(Syscalls.PidfdOpen, pid, 0);
        return fd < 0 ? null : new SafeFd((int)fd);
    }

    /// <summary>Sends a signal through a pidfd; false if the process is already gone.</summary>
    public static bool PidfdSendSignal(SafeFd pidfd, int signal)
    {
        if (syscall(Syscalls.PidfdSendSignal, pidfd.Fd, signal, 0, 0) == 0) return true;
        if (LastErrno == Errno.ESRCH) return false;
        throw new ErrnoException(LastErrno, "pidfd_send_signal");
    }

    /// <summary>Duplicates a descriptor out of another process (used to re-adopt a container's pipes).</summary>
    public static SafeFd PidfdGetfd(SafeFd pidfd, int targetFd) =>
        new((int)Check(syscall(Syscalls.PidfdGetfd, pidfd.Fd, targetFd, 0), "pidfd_getfd"));

    [LibraryImport(Libc, SetLastError = true)] private static partial int waitid(int idtype, int id, byte* info, int options);

    const int P_PIDFD = 3, WEXITED = 4, WNOHANG = 1;

    /// <summary>
    /// Reaps our child behind a pidfd. Never waitpid(-1): the .NET runtime reaps the children it
    /// started itself, and we must not steal (or lose) each other's exit statuses.
    /// Returns null when the child has not exited yet (with <paramref name="block"/> false).
    /// </summary>
    public static ExitStatus? WaitPidfd(SafeFd pidfd, bool block)
    {
        var info = stackalloc byte[128];
        while (true)
        {
            new Span<byte>(info, 128).Clear();
            if (waitid(P_PIDFD, pidfd.Fd, info, WEXITED | (block ? 0 : WNOHANG)) == 0) break;
            if (LastErrno == Errno.EINTR) continue;
            throw new ErrnoException(LastErrno, "waitid");
        }
        var pid = *(int*)(info + 16);
        if (pid == 0) return null;
        var code = *(int*)(info + 8);    // si_code: CLD_EXITED=1, CLD_KILLED=2, CLD_DUMPED=3
        var status = *(int*)(info + 24); // si_status: exit code or signal
        return code == 1 ? new ExitStatus(status, 0, false) : new ExitStatus(0, status, code == 3);
    }

    public static bool Kill(int pid, int signal)
    {
        if (kill(pid, signal) == 0) return true;
        if (LastErrno == Errno.ESRCH) return false;
        throw new ErrnoException(LastErrno, "kill", pid.ToString());
    }

    /// <summary>execve(2); returns only on failure, by throwing.</summary>
    public static void Execve(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env)
    {
        var p = Z(path);
        using var a = new CStringArray(argv);
        using var e = new CStringArray(env);
        fixed (byte* pp = p) execve(pp, a.Pointer, e.Pointer);
        throw new ErrnoException(LastErrno, "exec", path);
    }

    /// <summary>execveat(fd, "", AT_EMPTY_PATH): runs a binary we hold open, whatever the current root is.</summary>
    public static void ExecveFd(SafeFd fd, IReadOnlyList<string> argv, IReadOnlyList<string> env)
    {
        using var a = new CStringArray(argv);
        using var e = new CStringArray(env);
        var empty = stackalloc byte[1]; empty[0] = 0;
        syscall(Syscalls.Execveat, fd.Fd, (long)empty, (long)a.Pointer, (long)e.Pointer, 0x1000 /* AT_EMPTY_PATH */);
        throw new ErrnoException(LastErrno, "execveat");
    }

    /// <summary>Marks every descriptor from <paramref name="first"/> up close-on-exec (close_range, 5.11+).</summary>
    public static void CloseOnExecFrom(int first)
    {
        if (syscall(Syscalls.CloseRange, first, uint.MaxValue, 4 /* CLOSE_RANGE_CLOEXEC */) == 0) return;
        // Older kernels: walk /proc/self/fd.
        foreach (var entry in Directory.GetFiles("/proc/self/fd"))
            if (int.TryParse(Path.GetFileName(entry), out var fd) && fd >= first) fcntl(fd, 2 /* F_SETFD */, 1);
    }

    // From libc.so.6 itself: these run after pivot_root, when no other library file can be loaded
    // any more (libpthread.so.0 would be looked up on the container's filesystem).
    [LibraryImport(Libc, EntryPoint = "sigaction")] private static partial int SigAction(int sig, void* act, void* oldact);
    [LibraryImport(Libc, EntryPoint = "pthread_sigmask")] private static partial int PthreadSigmask(int how, void* set, void* oldset);

    /// <summary>Puts every signal back to its default disposition and unblocks all of them.</summary>
    public static void ResetSignals()
    {
        var act = stackalloc byte[256];
        new Span<byte>(act, 256).Clear(); // sa_handler = SIG_DFL, empty mask, no flags
        for (var sig = 1; sig < 65; sig++)
        {
            if (sig is 9 or 19 or 32 or 33) continue; // SIGKILL, SIGSTOP and glibc's reserved RT signals
            SigAction(sig, act, null);
        }
        var set = stackalloc byte[128];
        SigEmptySet(set);
        PthreadSigmask(2 /* SIG_SETMASK */, set, null);
    }

    public static void SetSid() => Check(setsid(), "setsid");

    public static void SetControllingTerminal(int fd) => Check(ioctl(fd, 0x540E /* TIOCSCTTY */, 0), "ioctl(TIOCSCTTY)");

    [LibraryImport(Libc, SetLastError = true)] private static partial int setrlimit(int resource, ulong* rlim);
    [LibraryImport(Libc, SetLastError = true)] private static partial int getrlimit(int resource, ulong* rlim);

    public const int RLIMIT_CORE = 4, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7;

    public static void SetRlimit(int resource, ulong soft, ulong hard)
    {
        var r = stackalloc ulong[2];
        r[0] = soft; r[1] = hard;
        Check(setrlimit(resource, r), "setrlimit");
    }

    public static (ulong Soft, ulong Hard) GetRlimit(int resource)
    {
        var r = stackalloc ulong[2];
        Check(getrlimit(resource, r), "getrlimit");
        return (r[0], r[1]);
    }
}
