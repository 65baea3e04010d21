using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Containers;

/// <summary>A started container process, as the launcher hands it over.</summary>
public sealed record LaunchedProcess(int Pid, ulong StartTime, SafeFd Pidfd, ICgroup Cgroup, Stdio Stdio);

/// <summary>
/// Starts container processes. The sequence, and why:
/// 1. A fresh OS thread unshares the new namespaces (they are per-thread) and posix_spawns this
///    binary's container-init mode, which becomes PID 1 of the new PID namespace. No managed code
///    runs between fork and exec; the thread then ends, taking its namespaces with it.
/// 2. The helper receives the spec over a SOCK_SEQPACKET pair, builds the root filesystem and
///    reports "ready".
/// 3. The daemon moves the helper into the container's cgroup (cgroup.procs: one way for v1 and v2)
///    and does what must happen from outside (networking), then says "go".
/// 4. The helper enters a cgroup namespace rooted at that cgroup, drops privileges and execs. Its end
///    of the socket is close-on-exec, so end-of-file here means the user's process is running.
/// </summary>
public sealed class ContainerLauncher(ICgroupDriver cgroups, string initBinary, IReadOnlyList<IContainerStartHook> hooks)
{
    const int HandshakeTimeoutMs = 30_000;

    public LaunchedProcess Launch(ContainerConfig config, InitSpec spec, Stdio stdio, SafeFd? tini, SafeFd? joinNetNs)
    {
        var cgroup = cgroups.Open(config.Id);
        if (cgroup.Exists) { cgroup.KillAll(); cgroup.Delete(); } // leftover of a run that crashed
        cgroup = cgroups.Create(config.Id, Limits(config.HostConfig));

        var (daemonEnd, childEnd) = Sys.SeqPacketPair();
        using var channel = new SyncChannel(daemonEnd);
        var fds = new List<FdMapping> { new(stdio.ChildIn.Fd, 0), new(stdio.ChildOut.Fd, 1), new(stdio.ChildErr.Fd, 2), new(childEnd.Fd, 3) };
        if (tini is not null) fds.Add(new FdMapping(tini.Fd, ContainerInit.InitBinaryFd));

        var ns = Namespaces.Mount | Namespaces.Uts | Namespaces.Ipc | Namespaces.Pid;
        if (spec.LoopbackUp) ns |= Namespaces.Net;
        int pid;
        try
        {
            pid = SpawnOnFreshThread(() =>
            {
                if (joinNetNs is not null) Sys.Setns(joinNetNs, (int)Namespaces.Net);
                Sys.Unshare((int)ns);
            }, fds);
        }
        catch
        {
            childEnd.Dispose();
            cgroup.Delete();
            throw;
        }
        childEnd.Dispose();
        stdio.CloseChildEnds();
        var pidfd = Sys.PidfdOpen(pid);
        try
        {
            Handshake(channel, spec, pid, cgroup, config, stdio);
            var start = ProcStat.Read(pid)?.StartTime ?? 0;
            return new LaunchedProcess(pid, start, pidfd, cgroup, stdio);
        }
        catch
        {
            Abort(pidfd, cgroup);
            throw;
        }
    }

    /// <summary>Starts an exec session's process inside a running container.</summary>
    public (int Pid, SafeFd Pidfd) LaunchExec(int containerPid, SafeFd containerPidfd, ICgroup cgroup, InitSpec spec, Stdio stdio, ContainerConfig config)
    {
        var (daemonEnd, childEnd) = Sys.SeqPacketPair();
        using var channel = new SyncChannel(daemonEnd);
        using var mntns = Sys.Open($"/proc/{containerPid}/ns/mnt", Sys.O_RDONLY);
        var fds = new List<FdMapping>
        {
            new(stdio.ChildIn.Fd, 0), new(stdio.ChildOut.Fd, 1), new(stdio.ChildErr.Fd, 2), new(childEnd.Fd, 3),
            new(mntns.Fd, ContainerInit.MountNsFd),
        };
        int pid;
        try
        {
            pid = SpawnOnFreshThread(() =>
                Sys.Setns(containerPidfd, (int)(Namespaces.Pid | Namespaces.Net | Namespaces.Ipc | Namespaces.Uts | Namespaces.Cgroup)), fds);
        }
        finally { childEnd.Dispose(); }
        stdio.CloseChildEnds();
        var pidfd = Sys.PidfdOpen(pid);
        try
        {
            Handshake(channel, spec, pid, cgroup, null, stdio);
            return (pid, pidfd);
        }
        catch
        {
            Sys.PidfdSendSignal(pidfd, 9);
            try { Sys.WaitPidfd(pidfd, block: true); } catch (ErrnoException) { }
            pidfd.Dispose();
            throw;
        }
    }

    void Handshake(SyncChannel channel, InitSpec spec, int pid, ICgroup cgroup, ContainerConfig? config, Stdio stdio)
    {
        channel.Send(spec, RuntimeJson.Default.InitSpec);
        var (ready, console) = channel.ReceiveWithFd(RuntimeJson.Default.InitMessage, HandshakeTimeoutMs);
        if (ready?.Kind == InitMessage.Console)
        {
            // With a tty, container-init first sends the master of the pty it opened in the container's devpts.
            stdio.AttachConsole(console ?? throw new StartFailedException("container init sent no console", 127));
            (ready, console) = channel.ReceiveWithFd(RuntimeJson.Default.InitMessage, HandshakeTimeoutMs);
        }
        console?.Dispose();
        Fail(ready, expectReady: true);
        cgroup.AddProcess(pid);
        if (config is not null)
            foreach (var hook in hooks) hook.BeforeStart(config, pid);
        channel.Send(new InitMessage(InitMessage.Go), RuntimeJson.Default.InitMessage);
        var final = channel.Receive(RuntimeJson.Default.InitMessage, HandshakeTimeoutMs);
        if (final is not null) Fail(final, expectReady: false);
    }

    static void Fail(InitMessage? message, bool expectReady)
    {
        if (message is null) throw new StartFailedException("container init exited before it was ready", 127);
        if (message.Kind == InitMessage.Failed) throw new StartFailedException(message.Error ?? "container init failed", message.ExitCode);
        if (expectReady && message.Kind != InitMessage.Ready)
            throw new StartFailedException($"unexpected message from container init: {message.Kind}", 127);
    }

    static void Abort(SafeFd pidfd, ICgroup cgroup)
    {
        Sys.PidfdSendSignal(pidfd, 9);
        try { Sys.WaitPidfd(pidfd, block: true); } catch (ErrnoException) { }
        pidfd.Dispose();
        cgroup.KillAll();
        cgroup.Delete();
    }

    /// <summary>
    /// Runs <paramref name="enter"/> and posix_spawn on a new thread. Namespaces and the fs struct are
    /// per-thread: entering them on a pool thread would leak them into unrelated work, so the thread
    /// is used once and ends.
    /// </summary>
    int SpawnOnFreshThread(Action enter, IReadOnlyList<FdMapping> fds)
    {
        var pid = 0;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                enter();
                pid = Sys.Spawn(initBinary, ["gitops", ContainerInit.Command], [], fds);
            }
            catch (Exception e) { error = e; }
        }, maxStackSize: 256 * 1024) { Name = "ns-spawn", IsBackground = true };
        thread.Start();
        thread.Join();
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return pid;
    }

    public static ResourceLimits Limits(HostConfig h) => new()
    {
        MemoryBytes = h.Memory > 0 ? h.Memory : null,
        MemorySwapBytes = h.MemorySwap != 0 ? h.MemorySwap : null,
        NanoCpus = h.NanoCpus > 0 ? h.NanoCpus : null,
        CpuShares = h.CpuShares > 0 ? h.CpuShares : null,
        PidsLimit = h.PidsLimit != 0 ? h.PidsLimit : null,
    };
}

/// <summary>Work that must happen from outside the container between its setup and its exec (networking).</summary>
public interface IContainerStartHook
{
    void BeforeStart(ContainerConfig config, int pid);
    void AfterStop(ContainerConfig config);
}
