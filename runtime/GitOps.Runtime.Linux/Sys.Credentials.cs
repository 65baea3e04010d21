using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

public static unsafe partial class Sys
{
    [LibraryImport(Libc, SetLastError = true)] private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    const int PR_SET_PDEATHSIG = 1, PR_SET_KEEPCAPS = 8, PR_SET_NAME = 15, PR_CAPBSET_DROP = 24,
        PR_SET_CHILD_SUBREAPER = 36, PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4;

    /// <summary>no_new_privs: setuid bits and file capabilities can no longer raise privileges after exec.</summary>
    public static void SetNoNewPrivileges() => Check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");

    public static void DropBoundingCapability(int cap)
    {
        if (prctl(PR_CAPBSET_DROP, (nuint)cap, 0, 0, 0) == 0) return;
        if (LastErrno == Errno.EINVAL) return; // capability unknown to this kernel
        throw new ErrnoException(LastErrno, $"prctl(PR_CAPBSET_DROP, {cap})");
    }

    public static void ClearAmbientCapabilities() => prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

    public static void SetKeepCapabilities(bool on) => Check(prctl(PR_SET_KEEPCAPS, on ? 1u : 0u, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");

    public static void SetChildSubreaper() => Check(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl(PR_SET_CHILD_SUBREAPER)");

    public static void SetParentDeathSignal(int signal) => Check(prctl(PR_SET_PDEATHSIG, (nuint)signal, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)");

    /// <summary>capset(2) on the calling thread: effective, permitted and inheritable as 64-bit masks.</summary>
    public static void SetCapabilities(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = stackalloc uint[2];
        header[0] = 0x20080522; // _LINUX_CAPABILITY_VERSION_3
        header[1] = 0;
        var data = stackalloc uint[6];
        data[0] = (uint)effective; data[1] = (uint)permitted; data[2] = (uint)inheritable;
        data[3] = (uint)(effective >> 32); data[4] = (uint)(permitted >> 32); data[5] = (uint)(inheritable >> 32);
        Check(syscall(Syscalls.Capset, (long)header, (long)data), "capset");
    }

    public static int LastCapability()
    {
        try { return int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim()); }
        catch (IOException) { return 40; }
    }

    // glibc's setuid/setgid/setgroups signal every thread of the process to change credentials
    // together (POSIX semantics). In the container init we want exactly that; elsewhere use the raw
    // calls, which change only the calling thread.
    public static void SetGroups(IReadOnlyList<uint> groups)
    {
        var g = stackalloc uint[Math.Max(groups.Count, 1)];
        for (var i = 0; i < groups.Count; i++) g[i] = groups[i];
        Check(setgroups((Tmds.Linux.size_t)(ulong)groups.Count, (Tmds.Linux.gid_t*)g), "setgroups");
    }

    public static void SetResGid(uint gid) => Check(setresgid(gid, gid, gid), "setresgid");

    public static void SetResUid(uint uid) => Check(setresuid(uid, uid, uid), "setresuid");

    public static void SetThreadName(string name)
    {
        var n = Z(name.Length > 15 ? name[..15] : name);
        fixed (byte* np = n) prctl(PR_SET_NAME, (nuint)np, 0, 0, 0);
    }
}

public static unsafe partial class Sys
{
    public static void SetDumpable(bool on) => Check(prctl(4 /* PR_SET_DUMPABLE */, on ? 1u : 0u, 0, 0, 0), "prctl(PR_SET_DUMPABLE)");
}
