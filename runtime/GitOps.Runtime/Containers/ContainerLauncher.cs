using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Containers;

/// <summary>
/// A started container process, as the launcher hands it over. <see cref="Held"/> is the sync channel of a
/// process held before its exec (<see cref="ContainerLauncher.Release"/> lets it run); null once it runs.
/// </summary>
public sealed record LaunchedProcess(int Pid, ulong StartTime, SafeFd Pidfd, ICgroup Cgroup, Stdio Stdio, SyncChannel? Held = null);

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
/// The "go" message may carry the process's final environment and arguments, for values known only once
/// step 3 is done (the container's address). A held start stops before "go": the namespaces, cgroup and
/// network exist (other containers can join them) but the user's process does not run until released —
/// how a pod's init containers and sidecars run in its network before its app does.
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

    /// <summary>Tasks allowed beyond a container's pids limit until its process has exec'd (see <see cref="Launch"/>).</summary>
    const long PidsHeadroom = 16;

    /// <param name="go">The go message (the final process, when it differs from the spec's); null for a plain go.</param>
    /// <param name="hold">Stop before go: the caller releases the process later with <see cref="Release"/>.</param>
    public LaunchedProcess Launch(ContainerConfig config, InitSpec spec, Stdio stdio, SafeFd? tini, LaunchNamespaces namespaces,
        Func<InitMessage>? go = null, bool hold = false)
    {
        var sw = Trace ? System.Diagnostics.Stopwatch.StartNew() : null;
        var cgroup = cgroups.Open(config.Id);
        if (cgroup.Exists) { cgroup.KillAll(); cgroup.Delete(); } // leftover of a run that crashed
        // Until the user's process execs, the cgroup holds more than it: the spawning thread joins it before the
        // helper is born, and the helper (managed code) may start runtime threads of its own while it sets up the
        // container. A pids limit gets headroom for that window and is applied for real once the exec happened
        // (exec leaves one thread), so --pids-limit 1 works, as with Docker.
        var limits = Limits(config.HostConfig) with
        {
            AllDevices = config.HostConfig.Privileged,
            Devices = spec.Devices.Select(Security.HostDevices.CgroupRule).Distinct().ToList(),
        };
        cgroup = cgroups.Create(config.Id, limits.PidsLimit is > 0 and < long.MaxValue ? limits with { PidsLimit = limits.PidsLimit + PidsHeadroom } : limits);
        Mark(sw, "cgroup created");

        var (daemonEnd, childEnd) = Sys.SeqPacketPair();
        Sys.RaiseSendBuffer(daemonEnd, SyncChannel.MaxSpec);
        var channel = new SyncChannel(daemonEnd);
        var keepChannel = false;
        var fds = new List<FdMapping> { new(stdio.ChildIn.Fd, 0), new(stdio.ChildOut.Fd, 1), new(stdio.ChildErr.Fd, 2), new(childEnd.Fd, 3) };
        if (tini is not null) fds.Add(new FdMapping(tini.Fd, ContainerInit.InitBinaryFd));

        // --pid and --ipc host or container:X: no namespace of its own (the helper is then not PID 1).
        var ns = Namespaces.Mount | Namespaces.Uts;
        if (namespaces.NewIpc) ns |= Namespaces.Ipc;
        if (namespaces.NewPid) ns |= Namespaces.Pid;
        if (spec.LoopbackUp) ns |= Namespaces.Net;
        int pid;
        var bornInCgroup = false;
        try
        {
            pid = SpawnOnFreshThread(() =>
            {
                bornInCgroup = cgroup.TryAddCurrentThread();
                // setns into a PID namespace sets the one this thread's children are born in, as unshare does.
                if (namespaces.JoinNet is { } net) Sys.Setns(net, (int)Namespaces.Net);
                if (namespaces.JoinPid is { } pidNs) Sys.Setns(pidNs, (int)Namespaces.Pid);
                if (namespaces.JoinIpc is { } ipcNs) Sys.Setns(ipcNs, (int)Namespaces.Ipc);
                Sys.Unshare((int)ns);
            }, fds);
        }
        catch
        {
            childEnd.Dispose();
            channel.Dispose();
            cgroup.Delete();
            throw;
        }
        childEnd.Dispose();
        stdio.CloseChildEnds();
        Mark(sw, "spawned");
        var pidfd = Sys.PidfdOpen(pid);
        try
        {
            Handshake(channel, spec, pid, bornInCgroup ? null : cgroup, config, stdio, sw, hold ? null : go ?? (() => new InitMessage(InitMessage.Go)));
            var start = ProcStat.Read(pid)?.StartTime ?? 0;
            if (limits.PidsLimit is > 0) cgroup.Apply(limits); // the user's process runs (or is held): the real limit
            keepChannel = hold;
            return new LaunchedProcess(pid, start, pidfd, cgroup, stdio, hold ? channel : null);
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
        finally
        {
            if (!keepChannel) channel.Dispose();
        }
    }

    /// <summary>
    /// Lets a held process run: sends go (with its final environment and arguments) and waits for the exec.
    /// A failure (the command does not exist, say) is a <see cref="StartFailedException"/>; the helper has
    /// exited by then, which the caller learns from its pidfd as for any exit.
    /// </summary>
    public static void Release(SyncChannel held, InitMessage go)
    {
        held.Send(go, RuntimeJson.Default.InitMessage);
        var final = held.Receive(RuntimeJson.Default.InitMessage, HandshakeTimeoutMs);
        if (final is not null) Fail(final, expectReady: false);
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
            Handshake(channel, spec, pid, bornInCgroup ? null : cgroup, null, stdio, null, () => new InitMessage(InitMessage.Go));
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
    /// <param name="go">The go message, made once the hooks ran; null holds the process before go.</param>
    void Handshake(SyncChannel channel, InitSpec spec, int pid, ICgroup? moveInto, ContainerConfig? config, Stdio stdio, System.Diagnostics.Stopwatch? sw,
        Func<InitMessage>? go)
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
        if (go is null) { Mark(sw, "held"); return; }
        Release(channel, go());
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
