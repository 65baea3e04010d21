using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

[Flags]
public enum Namespaces
{
    None = 0,
    Mount = 0x00020000,   // CLONE_NEWNS
    Cgroup = 0x02000000,  // CLONE_NEWCGROUP
    Uts = 0x04000000,     // CLONE_NEWUTS
    Ipc = 0x08000000,     // CLONE_NEWIPC
    Pid = 0x20000000,     // CLONE_NEWPID
    Net = 0x40000000,     // CLONE_NEWNET
}

public static unsafe partial class Sys
{
    public const int CLONE_FS = 0x00000200;

    /// <summary>
    /// unshare(2) for the calling thread only: namespaces, like the fs struct, are per-task, so a
    /// dedicated thread can enter new namespaces without touching the rest of the process.
    /// </summary>
    public static void Unshare(int flags) => Check(unshare(flags), "unshare");

    /// <summary>setns(2); <paramref name="fd"/> is a /proc/PID/ns/* file or (since 5.8) a pidfd.</summary>
    public static void Setns(SafeFd fd, int nstype) => Check(setns(fd.Fd, nstype), "setns");

    public static void SetHostname(string name)
    {
        var n = Z(name);
        fixed (byte* np = n) Check(sethostname(np, (Tmds.Linux.size_t)(ulong)(n.Length - 1)), "sethostname");
    }

    public static int GetTid() => (int)syscall(Syscalls.Gettid);

    public static int GetPid() => getpid();
}

public static unsafe partial class Sys
{
    public static uint GetEuid() => geteuid();
}

public static unsafe partial class Sys
{
    /// <summary>
    /// Runs <paramref name="work"/> on a new thread inside the network namespace <paramref name="netns"/>.
    /// Sockets created there stay in that namespace when used from any thread afterwards. The thread
    /// ends after the work, so no pooled thread is ever left in a container's namespace.
    /// The work must be plain syscalls: a thread the runtime starts from here (the thread pool's
    /// workers, the socket engine's epoll thread, which a first .NET Socket starts) inherits the
    /// container's network namespace and would do the daemon's networking there from then on.
    /// </summary>
    public static T InNetworkNamespace<T>(SafeFd netns, Func<T> work)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                Setns(netns, (int)Namespaces.Net);
                result = work();
            }
            catch (Exception e) { error = e; }
        }, 256 * 1024) { IsBackground = true, Name = "netns" };
        thread.Start();
        thread.Join();
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return result;
    }
}
