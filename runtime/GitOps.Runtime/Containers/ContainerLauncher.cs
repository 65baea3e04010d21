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
public sealed class ContainerLauncher(ICgroupDriver cgroups, InitBinary initBinary, IReadOnlyList<IContainerStartHook> hooks)
{
    const int HandshakeTimeoutMs = 30_000;

    /// <summary>GITOPS_TRACE=1 prints the duration of each start phase to the daemon's stderr.</summary>
    static readonly bool Trace = Environment.GetEnvironmentVariable("GITOPS_TRACE") == "1";

    static void Mark(System.Diagnostics.Stopwatch? sw, string phase)
    {
        if (sw is null) return;
        Console.Error.WriteLine($"trace start {phase}: {sw.Elapsed.TotalMilliseconds:0.00} ms");
    }

    public LaunchedProcess Launch(ContainerConfig config, InitSpec spec, Stdio stdio, SafeFd? tini, SafeFd? joinNetNs)
    {
        var sw = Trace ? System.Diagnostics.Stopwatch.StartNew() : null;
        var cgroup = cgroups.Open(config.Id);
        if (cgroup.Exists) { cgroup.KillAll(); cgroup.Delete(); } // leftover of a run that crashed
        // The spawning thread joins the cgroup before the helper is born, so for that moment the cgroup holds two
        // tasks: a pids limit gets one more until the thread is gone (--pids-limit 1 works, as with Docker).
        var limits = Limits(config.HostConfig);
        cgroup = cgroups.Create(config.Id, limits.PidsLimit is > 0 and < long.MaxValue ? limits with { PidsLimit = limits.PidsLimit + 1 } : limits);
        Mark(sw, "cgroup created");

        var (daemonEnd, childEnd) = Sys.SeqPacketPair();
        Sys.RaiseSendBuffer(daemonEnd, SyncChannel.MaxSpec);
        using var channel = new SyncChannel(daemonEnd);
        var fds = new List<FdMapping> { new(stdio.ChildIn.Fd, 0), new(stdio.ChildOut.Fd, 1), new(stdio.ChildErr.Fd, 2), new(childEnd.Fd, 3) };
        if (tini is not null) fds.Add(new FdMapping(tini.Fd, ContainerInit.InitBinaryFd));

        var ns = Namespaces.Mount | Namespaces.Uts | Namespaces.Ipc | Namespaces.Pid;
        if (spec.LoopbackUp) ns |= Namespaces.Net;
        int pid;
        var bornInCgroup = false;
        try
        {
            pid = SpawnOnFreshThread(() =>
            {
                bornInCgroup = cgroup.TryAddCurrentThread();
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
        if (limits.PidsLimit is > 0) cgroup.Apply(limits); // the spawning thread has exited: the real limit
        Mark(sw, "spawned");
        var pidfd = Sys.PidfdOpen(pid);
        try
        {
            Handshake(channel, spec, pid, bornInCgroup ? null : cgroup, config, stdio, sw);
            var start = ProcStat.Read(pid)?.StartTime ?? 0;
            return new LaunchedProcess(pid, start, pidfd, cgroup, stdio);
        }
        catch
        {
            Abort(pidfd, cgroup);
            // Undo what the hooks set up before the failure (each AfterStop is idempotent).
            foreach (var hook in hooks)
            {
                try { hook.AfterStop(config); }
                catch (Exception e) { Console.Error.WriteLine($"container {config.Id[..12]}: cleanup after a failed start: {e.Message}"); }
            }
            throw;
        }
    }

    /// <summary>Starts an exec session's process inside a running container.</summary>
    public (int Pid, SafeFd Pidfd) LaunchExec(int containerPid, SafeFd containerPidfd, ICgroup cgroup, InitSpec spec, Stdio stdio, ContainerConfig config)
    {
        var (daemonEnd, childEnd) = Sys.SeqPacketPair();
        Sys.RaiseSendBuffer(daemonEnd, SyncChannel.MaxSpec);
        using var channel = new SyncChannel(daemonEnd);
        using var mntns = Sys.Open($"/proc/{containerPid}/ns/mnt", Sys.O_RDONLY);
        var fds = new List<FdMapping>
        {
            new(stdio.ChildIn.Fd, 0), new(stdio.ChildOut.Fd, 1), new(stdio.ChildErr.Fd, 2), new(childEnd.Fd, 3),
            new(mntns.Fd, ContainerInit.MountNsFd),
        };
        int pid;
        var bornInCgroup = false;
        try
        {
            pid = SpawnOnFreshThread(() =>
            {
                bornInCgroup = cgroup.TryAddCurrentThread();
                Sys.Setns(containerPidfd, (int)(Namespaces.Pid | Namespaces.Net | Namespaces.Ipc | Namespaces.Uts | Namespaces.Cgroup));
            }, fds);
        }
        finally { childEnd.Dispose(); }
        stdio.CloseChildEnds();
        var pidfd = Sys.PidfdOpen(pid);
        try
        {
            Handshake(channel, spec, pid, bornInCgroup ? null : cgroup, null, stdio, null);
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

    /// <param name="moveInto">The cgroup to move the helper into, when it was not born there (v2).</param>
    void Handshake(SyncChannel channel, InitSpec spec, int pid, ICgroup? moveInto, ContainerConfig? config, Stdio stdio, System.Diagnostics.Stopwatch? sw)
    {
        channel.Send(spec, RuntimeJson.Default.InitSpec);
        // Moving a whole process waits for an RCU grace period (the threadgroup rwsem): do it while
        // the helper starts up and builds the root, not after. The helper forks nothing before its
        // exec, so nothing escapes the cgroup in between.
        moveInto?.AddProcess(pid);
        Mark(sw, "joined cgroup");
        var (ready, console) = channel.ReceiveWithFd(RuntimeJson.Default.InitMessage, HandshakeTimeoutMs);
        if (ready?.Kind == InitMessage.Console)
        {
            // With a tty, container-init first sends the master of the pty it opened in the container's devpts.
            stdio.AttachConsole(console ?? throw new StartFailedException("container init sent no console", 127));
            (ready, console) = channel.ReceiveWithFd(RuntimeJson.Default.InitMessage, HandshakeTimeoutMs);
        }
        console?.Dispose();
        Fail(ready, expectReady: true);
        if (sw is not null && ready!.Timestamps is [var started, var received, var prepared])
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            double Ago(long t) => sw.Elapsed.TotalMilliseconds - (now - t) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
            Console.Error.WriteLine($"trace start helper main: {Ago(started):0.00} ms, spec received: {Ago(received):0.00} ms, root built: {Ago(prepared):0.00} ms");
        }
        Mark(sw, "ready");
        if (config is not null)
            foreach (var hook in hooks) hook.BeforeStart(config, pid);
        channel.Send(new InitMessage(InitMessage.Go), RuntimeJson.Default.InitMessage);
        var final = channel.Receive(RuntimeJson.Default.InitMessage, HandshakeTimeoutMs);
        if (final is not null) Fail(final, expectReady: false);
        Mark(sw, "exec'd");
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
    int SpawnOnFreshThread(Action enter, List<FdMapping> fds)
    {
        if (initBinary.Fd is { } image) fds.Add(new FdMapping(image.Fd, InitBinary.HelperFd));
        var pid = 0;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                enter();
                pid = Sys.Spawn(initBinary.SpawnPath, initBinary.Argv, [], fds);
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
