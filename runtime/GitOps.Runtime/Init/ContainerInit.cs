using GitOps.Runtime.Linux;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Init;

/// <summary>
/// The container-init helper: the first thing to run in a new container (as PID 1 of its PID
/// namespace) or in an exec session. It is this same binary, started by the daemon with
/// posix_spawn, and it runs managed code only because it is a fresh process, not a fork: our
/// equivalent of `runc init`. Descriptors: 0-2 stdio, 3 the sync socket, 4 the container's mount
/// namespace (exec), 5 tini (with --init).
/// </summary>
public static class ContainerInit
{
    public const string Command = "container-init";
    public const int SyncFd = 3, MountNsFd = 4, InitBinaryFd = 5;

    public static int Main()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var sync = new SyncChannel(new SafeFd(SyncFd));
        try
        {
            // Not dumpable until exec: processes of the container cannot open /proc/PID of this
            // still-privileged helper (runc does the same). exec resets it.
            Sys.SetDumpable(false);
            Sys.SetCloseOnExec(sync.Fd, true);
            var spec = sync.Receive(RuntimeJson.Default.InitSpec, maxBytes: SyncChannel.MaxSpec) ?? throw new InitException("no spec from daemon", 127);
            var received = System.Diagnostics.Stopwatch.GetTimestamp();
            if (spec.Mode == InitMode.Run) PrepareContainer(spec);
            else JoinContainer(spec);
            if (spec.Process.Tty) CreateConsole(sync, bindConsole: spec.Mode == InitMode.Run);

            sync.Send(new InitMessage(InitMessage.Ready, Timestamps: [started, received, System.Diagnostics.Stopwatch.GetTimestamp()]),
                RuntimeJson.Default.InitMessage);
            var go = sync.Receive(RuntimeJson.Default.InitMessage);
            if (go?.Kind != InitMessage.Go) return 1; // the daemon gave up on us

            if (spec.Mode == InitMode.Run && spec.Cgroup is { } cgroup)
            {
                // The daemon has moved us into the container's cgroup: only now does a new cgroup
                // namespace get that cgroup as its root.
                Sys.Unshare((int)Namespaces.Cgroup);
                RootfsBuilder.MountCgroups(cgroup, LinuxContainerSyscalls.Instance);
            }
            Exec(spec.Process, spec.Mode);
            return 127; // unreachable: Exec either replaces this process or throws
        }
        catch (InitException e)
        {
            TrySend(sync, new InitMessage(InitMessage.Failed, e.Message, e.ExitCode));
            return e.ExitCode;
        }
        catch (Exception e)
        {
            TrySend(sync, new InitMessage(InitMessage.Failed, e.Message, 127));
            return 127;
        }
    }

    static void TrySend(SyncChannel sync, InitMessage message)
    {
        try { sync.Send(message, RuntimeJson.Default.InitMessage); } catch (IOException) { }
    }

    /// <summary>
    /// The terminal comes from the container's own devpts, as runc's console socket does: inside
    /// it is /dev/pts/0 (and /dev/console), nothing of the host's ptys shows. The master goes to
    /// the daemon over the sync socket; the slave becomes stdin, stdout and stderr.
    /// </summary>
    static void CreateConsole(SyncChannel sync, bool bindConsole)
    {
        var (master, slavePath) = Sys.OpenPty("/dev/pts/ptmx");
        using (master)
        {
            using var slave = Sys.Open(slavePath, Sys.O_RDWR | Sys.O_NOCTTY);
            if (bindConsole) Sys.Mount(slavePath, "/dev/console", null, MountFlags.Bind);
            for (var fd = 0; fd <= 2; fd++) Sys.Dup2(slave.Fd, fd);
            sync.SendWithFd(new InitMessage(InitMessage.Console), RuntimeJson.Default.InitMessage, master);
        }
    }

    static void PrepareContainer(InitSpec spec)
    {
        if (spec.LoopbackUp) Sys.InterfaceUp("lo");
        RootfsBuilder.Build(spec, LinuxContainerSyscalls.Instance);
        if (spec.Hostname is { Length: > 0 } h) Sys.SetHostname(h);
    }

    static void JoinContainer(InitSpec spec)
    {
        if (!spec.JoinMountNamespace) return;
        // setns into a mount namespace needs a private fs struct; this thread is the one that execs.
        Sys.Unshare(Sys.CLONE_FS);
        using var mntns = new SafeFd(MountNsFd);
        Sys.Setns(mntns, (int)Namespaces.Mount);
    }

    /// <summary>
    /// Raising a hard limit needs CAP_SYS_RESOURCE, which some hosts (and sandboxes) withhold even
    /// from root: then the container gets the highest limit the daemon itself may grant.
    /// </summary>
    static void SetRlimit(RlimitSpec r)
    {
        try { Sys.SetRlimit(r.Resource, r.Soft, r.Hard); }
        catch (ErrnoException e) when (e.Errno == Errno.EPERM)
        {
            var (_, hard) = Sys.GetRlimit(r.Resource);
            Sys.SetRlimit(r.Resource, Math.Min(r.Soft, hard), Math.Min(r.Hard, hard));
        }
    }

    static void Exec(ProcessSpec p, InitMode mode)
    {
        var user = UserResolver.Resolve(p.User);
        var env = p.Env.ToList();
        if (!env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal))) env.Add("PATH=" + Defaults.Path);
        if (!env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal))) env.Add("HOME=" + user.Home);

        var cwd = p.Cwd.Length == 0 ? "/" : p.Cwd;
        // Docker creates a missing working directory for the container's main process.
        if (mode == InitMode.Run && !Directory.Exists(cwd) && !Sys.TryLstat(cwd, out _, out _))
        {
            Directory.CreateDirectory(cwd);
            Sys.Lchown(cwd, user.Uid, user.Gid);
        }
        try { Sys.Chdir(cwd); }
        catch (ErrnoException e) { throw new InitException($"chdir to cwd (\"{cwd}\") set in config.json failed: {ErrnoException.Describe(e.Errno)}", 126); }

        var path = PathLookup.Resolve(p.Args[0], env);

        if (p.Tty)
        {
            Sys.SetSid();
            Sys.SetControllingTerminal(0);
        }
        foreach (var r in p.Rlimits) SetRlimit(r);

        // Privileges, in the only order that works: the bounding set needs CAP_SETPCAP, the id
        // changes need CAP_SETUID/SETGID, so capabilities go last.
        var lastCap = Sys.LastCapability();
        for (var cap = 0; cap <= lastCap; cap++)
            if ((p.Capabilities & (1UL << cap)) == 0) Sys.DropBoundingCapability(cap);
        Sys.ClearAmbientCapabilities();
        Sys.SetGroups(user.AdditionalGids);
        Sys.SetResGid(user.Gid);
        Sys.SetResUid(user.Uid);
        if (user.Uid == 0) Sys.SetCapabilities(p.Capabilities, p.Capabilities, 0);
        if (p.NoNewPrivileges) Sys.SetNoNewPrivileges();

        Sys.CloseOnExecFrom(3);
        Sys.ResetSignals();
        if (p.Init)
        {
            using var tini = new SafeFd(InitBinaryFd);
            // tini's -s would be needed only when it is not PID 1; "--" ends its options.
            Sys.ExecveFd(tini, ["/sbin/docker-init", "--", path, .. p.Args.Skip(1)], env);
        }
        try { Sys.Execve(path, [p.Args[0], .. p.Args.Skip(1)], env); }
        catch (ErrnoException e)
        {
            var code = e.Errno is Errno.ENOENT ? 127 : 126;
            throw new InitException($"exec: \"{p.Args[0]}\": {ErrnoException.Describe(e.Errno).ToLowerInvariant()}", code);
        }
    }
}
