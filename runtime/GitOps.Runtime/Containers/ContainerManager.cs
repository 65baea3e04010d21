using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Events;
using GitOps.Runtime.Images;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Logs;
using GitOps.Runtime.State;
using GitOps.Runtime.Storage;

namespace GitOps.Runtime.Containers;

/// <summary>
/// The containers of one engine: create, start, stop, kill, remove, wait; exit handling with
/// restart policies; and, at daemon start, re-adoption of containers that kept running while the
/// daemon was down.
/// </summary>
public sealed partial class ContainerManager : IDisposable
{
    readonly EnginePaths _paths;
    readonly ImageStore _images;
    readonly ICgroupDriver _cgroups;
    readonly EventBus _events;
    readonly OutputPump _pump;
    readonly ContainerLauncher _launcher;
    readonly IReadOnlyList<IContainerStartHook> _hooks;
    readonly ContainerStorage _storage;
    readonly string? _tiniPath;
    readonly Networking.NetworkManager _networks;
    readonly Lock _gate = new();
    readonly Dictionary<string, Container> _byId = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _idByName = new(StringComparer.Ordinal);
    /// <summary>Exit codes of recently removed containers, so a wait that arrives after an auto-remove still gets its answer.</summary>
    readonly Dictionary<string, (int ExitCode, long At)> _removed = new(StringComparer.Ordinal);
    ProcExitMonitor? _exitMonitor;
    IReadOnlyList<IContainerRunObserver> _observers = [];

    public ContainerManager(EnginePaths paths, ImageStore images, ICgroupDriver cgroups, EventBus events, OutputPump pump,
        InitBinary initBinary, IReadOnlyList<IContainerStartHook> hooks, string? tiniPath, Networking.NetworkManager networks, ContainerStorage storage)
    {
        _networks = networks;
        _storage = storage;
        _paths = paths;
        _images = images;
        _cgroups = cgroups;
        _events = events;
        _pump = pump;
        _hooks = hooks;
        _tiniPath = tiniPath;
        _launcher = new ContainerLauncher(cgroups, initBinary, hooks);
    }

    public ICgroupDriver Cgroups => _cgroups;
    internal ContainerLauncher Launcher => _launcher;
    internal ContainerStorage Storage => _storage;

    // ---- lookup ------------------------------------------------------------------------------

    public IReadOnlyList<Container> All()
    {
        lock (_gate) return _byId.Values.ToList();
    }

    /// <summary>Docker's lookup order: full ID, name, then unique ID prefix.</summary>
    public Container? Find(string idOrName)
    {
        var key = idOrName.TrimStart('/');
        lock (_gate)
        {
            if (_byId.TryGetValue(key, out var c)) return c;
            if (_idByName.TryGetValue(key, out var id)) return _byId[id];
            if (key.Length == 0 || !Ids.IsHex(key)) return null;
            var matches = _byId.Values.Where(x => x.Id.StartsWith(key, StringComparison.Ordinal)).ToList();
            if (matches.Count > 1) throw new InvalidArgumentException($"multiple IDs found with provided prefix: {key}");
            return matches.SingleOrDefault();
        }
    }

    public Container Get(string idOrName) => Find(idOrName) ?? throw new NotFoundException($"No such container: {idOrName}");

    public IReadOnlyList<string> UsingImage(string imageId)
    {
        lock (_gate) return _byId.Values.Where(c => c.Config.ImageId == imageId).Select(c => c.Id).ToList();
    }

    // ---- start -------------------------------------------------------------------------------

    public async Task StartAsync(string idOrName, CancellationToken ct = default)
    {
        var c = Get(idOrName);
        await c.Lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (c.Removed) throw new NotFoundException($"No such container: {idOrName}");
            if (c.Process is not null) throw new NotModifiedException("container already started");
            c.PendingRestart?.Cancel();
            c.PendingRestart = null;
            StartLocked(c, manual: true);
        }
        finally { c.Lifecycle.Release(); }
    }

    void StartLocked(Container c, bool manual, bool hold = false)
    {
        c.CgroupRemoval.Wait(); // never throws: the removal logs its own failures
        var config = c.Config;
        var image = _images.Resolve(config.ImageId);
        var plan = _networks.Plan(config.HostConfig, config.Networks);
        var (newNet, joinName) = (plan.Kind is Networking.NetworkModeKind.Bridge or Networking.NetworkModeKind.None, plan.JoinContainer);
        SafeFd? joinNet = null;
        Container? netOwner = null;
        if (joinName is not null)
        {
            var other = netOwner = Get(joinName);
            var otherPid = other.Process?.Pid ?? throw new ConflictException($"cannot join network of a non running container: {joinName}");
            joinNet = Sys.Open($"/proc/{otherPid}/ns/net", Sys.O_RDONLY);
        }
        var stdio = Stdio.ForContainer(config.Tty, config.OpenStdin);
        SafeFd? tini = config.HostConfig.Init ? Sys.Open(_tiniPath!, Sys.O_RDONLY) : null;
        LaunchedProcess launched;
        LaunchNamespaces? namespaces = null;
        try
        {
            namespaces = OpenNamespaces(c, joinNet);
            launched = _launcher.Launch(config, BuildSpec(c, image, newNet, netOwner), stdio, tini, namespaces,
                config.KubeEnv is null ? null : () => GoMessage(c), hold);
        }
        catch (StartFailedException e)
        {
            stdio.Dispose();
            _storage.Stopped(config);
            ReleaseSharedShm(c.Files);
            c.Update(s => s with { ExitCode = e.ExitCode, Error = e.Message, Running = false });
            throw;
        }
        catch
        {
            stdio.Dispose();
            _storage.Stopped(config);
            ReleaseSharedShm(c.Files);
            throw;
        }
        finally
        {
            tini?.Dispose();
            if (namespaces is not null) namespaces.Dispose();
            else joinNet?.Dispose();
        }

        var proc = new RunningProcess(launched.Pid, launched.StartTime, launched.Pidfd, launched.Cgroup, isChild: true)
        {
            StdinWrite = stdio.StdinWrite,
            PtyWrite = stdio.PtyMaster is null ? null : Sys.Dup(stdio.PtyMaster),
            Held = launched.Held,
        };
        c.Process = proc;
        AttachOutput(c, stdio);
        stdio.ReleaseDaemonEnds();
        c.Update(s => s with
        {
            Status = ContainerStatus.Running, Running = true, Restarting = false, Pid = launched.Pid,
            PidStartTime = launched.StartTime, ExitCode = 0, Error = "", OOMKilled = false,
            StartedAt = proc.StartedAt, ManuallyStopped = manual ? false : s.ManuallyStopped,
            Health = Health.HealthRules.Started(s.Health, Health.HealthSpec.From(config.Healthcheck)),
        });
        _pump.AddPidfd(proc.Pidfd, () => OnExit(c, proc));
        if (hold) return; // observers (health checks) and the start event wait for ReleaseAsync
        Notify(c, running: true);
        Publish(c, "start");
    }

    void AttachOutput(Container c, Stdio stdio)
    {
        if (stdio.PtyMaster is { } master)
        {
            c.Output.Open(StdStream.Stdout);
            _pump.AddStream(master, d => c.Output.OnData(StdStream.Stdout, d), () => c.Output.OnEof(StdStream.Stdout));
            return;
        }
        if (stdio.StdoutRead is { } o)
        {
            c.Output.Open(StdStream.Stdout);
            _pump.AddStream(o, d => c.Output.OnData(StdStream.Stdout, d), () => c.Output.OnEof(StdStream.Stdout));
        }
        if (stdio.StderrRead is { } e)
        {
            c.Output.Open(StdStream.Stderr);
            _pump.AddStream(e, d => c.Output.OnData(StdStream.Stderr, d), () => c.Output.OnEof(StdStream.Stderr));
        }
    }

    /// <param name="netOwner">With --network container:X, X: its hostname, hosts and resolv.conf are shared, as Docker does.</param>
    InitSpec BuildSpec(Container c, ResolvedImage image, bool newNetNs, Container? netOwner = null)
    {
        var config = c.Config;
        var f = c.Files;
        var hostname = netOwner?.Config.Hostname ?? config.Hostname;
        var netFiles = netOwner?.Files ?? f;
        // overlayfs wants the topmost lower layer first; the init layer sits on top of the image.
        var lowers = new List<string> { f.InitLayer };
        lowers.AddRange(image.LayerDirs.Reverse());
        var storage = _storage.Prepare(config, image, f);
        var env = new List<string>();
        if (!config.Env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal))) env.Add("PATH=" + Defaults.Path);
        env.Add("HOSTNAME=" + hostname);
        if (config.Tty) env.Add("TERM=xterm");
        env.AddRange(storage.Env);
        return WithSecurity(new InitSpec
        {
            Mode = InitMode.Run,
            Rootfs = f.Rootfs,
            Overlay = new OverlaySpec(lowers, f.Upper, f.Work),
            Hostname = hostname,
            ReadonlyRootfs = config.HostConfig.ReadonlyRootfs,
            // A user's mount at one of these paths wins; parents are mounted before what is inside them.
            // With --network container:X the name files are X's (netFiles), as Docker shares them.
            Mounts = new[]
                {
                    new MountSpec("/etc/resolv.conf", "bind", netFiles.ResolvConf, []),
                    new MountSpec("/etc/hostname", "bind", netFiles.Hostname, []),
                    new MountSpec("/etc/hosts", "bind", netFiles.Hosts, []),
                }
                .Where(m => storage.Mounts.All(u => u.Destination != m.Destination))
                .Concat(storage.Mounts)
                .OrderBy(m => m.Destination.Count(ch => ch == '/')).ToList(),
            SecretMounts = storage.SecretMounts,
            SecretStaging = storage.SecretStaging,
            Cgroup = _cgroups.MountSpec,
            LoopbackUp = newNetNs,
            Process = new ProcessSpec
            {
                Args = [config.Path, .. config.Args],
                Env = env,
                Cwd = config.WorkingDir.Length == 0 ? "/" : config.WorkingDir,
                User = config.User,
                Tty = config.Tty,
                Init = config.HostConfig.Init,
            },
        }, c);
    }

    // ---- stop, kill, restart -----------------------------------------------------------------

    /// <summary>Stop signal (SIGTERM or the image's STOPSIGNAL), then SIGKILL after the timeout.</summary>
    public async Task StopAsync(string idOrName, int? timeoutSeconds, CancellationToken ct = default)
    {
        var c = Get(idOrName);
        await c.Lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try { await StopLockedAsync(c, timeoutSeconds).ConfigureAwait(false); }
        finally { c.Lifecycle.Release(); }
    }

    async Task StopLockedAsync(Container c, int? timeoutSeconds)
    {
        CancelPendingRestart(c);
        var proc = c.Process;
        if (proc is null)
        {
            c.Update(s => s with { ManuallyStopped = true });
            throw new NotModifiedException("container already stopped");
        }
        proc.StopRequested = true;
        c.Update(s => s with { ManuallyStopped = true });
        // A held process never ran the user's command: closing its channel makes container-init exit at once.
        if (proc.Held is { } held) { proc.Held = null; held.Dispose(); }
        var timeout = timeoutSeconds ?? c.Config.StopTimeout;
        var signal = Signals.Parse(c.Config.StopSignal);
        if (timeout != 0 && Sys.PidfdSendSignal(proc.Pidfd, signal))
        {
            Publish(c, "kill", ("signal", signal.ToString()));
            var wait = timeout < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(timeout);
            try { await proc.Exited.Task.WaitAsync(wait).ConfigureAwait(false); }
            catch (TimeoutException) { }
        }
        if (!proc.Exited.Task.IsCompleted)
        {
            if (Sys.PidfdSendSignal(proc.Pidfd, 9)) Publish(c, "kill", ("signal", "9"));
            await proc.Exited.Task.ConfigureAwait(false);
        }
        Publish(c, "stop");
    }

    void CancelPendingRestart(Container c)
    {
        if (c.PendingRestart is null) return;
        c.PendingRestart.Cancel();
        c.PendingRestart = null;
        c.Update(s => s with { Status = ContainerStatus.Exited, Restarting = false });
    }

    public async Task RestartAsync(string idOrName, int? timeoutSeconds, CancellationToken ct = default)
    {
        var c = Get(idOrName);
        await c.Lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (c.Process is not null) await StopLockedAsync(c, timeoutSeconds).ConfigureAwait(false);
            else CancelPendingRestart(c);
            StartLocked(c, manual: true);
            Publish(c, "restart");
        }
        finally { c.Lifecycle.Release(); }
    }

    public void Kill(string idOrName, string signal)
    {
        var c = Get(idOrName);
        var number = Signals.Parse(signal);
        var proc = c.Process ?? throw new ConflictException($"Container {c.Id} is not running");
        if (number == 9) proc.StopRequested = true;
        c.Update(s => s with { ManuallyStopped = true });
        if (!Sys.PidfdSendSignal(proc.Pidfd, number)) throw new ConflictException($"Container {c.Id} is not running");
        Publish(c, "kill", ("signal", number.ToString()));
    }

    // ---- wait --------------------------------------------------------------------------------

    /// <summary>docker wait: conditions not-running (default), next-exit and removed.</summary>
    public async Task<int> WaitAsync(string idOrName, string condition, CancellationToken ct)
    {
        var c = Find(idOrName);
        if (c is null)
        {
            lock (_gate)
                if (_removed.TryGetValue(idOrName, out var gone)) return gone.ExitCode;
            throw new NotFoundException($"No such container: {idOrName}");
        }
        switch (condition)
        {
            case "removed":
                await c.RemovedSignal.Task.WaitAsync(ct).ConfigureAwait(false);
                return c.State.ExitCode;
            case "next-exit":
                while (c.Process is null && !c.Removed) await Task.Delay(20, ct).ConfigureAwait(false);
                break;
        }
        while (true)
        {
            var proc = c.Process;
            if (proc is null)
            {
                // A container in its restart back-off has not stopped yet.
                if (c.PendingRestart is not null) { await Task.Delay(50, ct).ConfigureAwait(false); continue; }
                return c.State.ExitCode;
            }
            await proc.Exited.Task.WaitAsync(ct).ConfigureAwait(false);
            if (c.PendingRestart is null && c.Process is null) return c.State.ExitCode;
        }
    }

    // ---- I/O ---------------------------------------------------------------------------------

    public ContainerOutput OutputOf(string idOrName) => Get(idOrName).Output;

    public void WriteStdin(Container c, ReadOnlySpan<byte> data)
    {
        var proc = c.Process;
        var fd = proc?.PtyWrite ?? proc?.StdinWrite;
        if (fd is null) return;
        try { Sys.WriteAll(fd, data); }
        catch (ErrnoException e) when (e.Errno is Errno.EPIPE or Errno.EIO or Errno.EBADF) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>The attached client's stdin ended: with StdinOnce (docker run -i) the container's stdin ends too.</summary>
    public void CloseStdin(Container c)
    {
        if (c.Config.StdinOnce) c.Process?.CloseStdin();
    }

    public void Resize(string idOrName, ushort rows, ushort cols)
    {
        var c = Get(idOrName);
        if (c.Process?.PtyWrite is not { } pty) throw new ConflictException($"container {idOrName} has no tty");
        Sys.SetWindowSize(pty.Fd, rows, cols);
    }

    public IReadOnlyList<int> Pids(string idOrName)
    {
        var c = Get(idOrName);
        var proc = c.Process ?? throw new ConflictException($"Container {c.Id} is not running");
        return proc.Cgroup.Processes();
    }

    public CgroupStats? Stats(string idOrName) => Get(idOrName).Process?.Cgroup.Stats();

    public void Pause(string idOrName)
    {
        var c = Get(idOrName);
        var proc = c.Process ?? throw new ConflictException($"Container {c.Id} is not running");
        proc.Cgroup.Freeze();
        c.Update(s => s with { Status = ContainerStatus.Paused });
        Notify(c, running: false);
        Publish(c, "pause");
    }

    public void Unpause(string idOrName)
    {
        var c = Get(idOrName);
        var proc = c.Process ?? throw new ConflictException($"Container {c.Id} is not running");
        proc.Cgroup.Thaw();
        c.Update(s => s with { Status = ContainerStatus.Running });
        Notify(c, running: true);
        Publish(c, "unpause");
    }

    // ---- observers ---------------------------------------------------------------------------

    /// <summary>Adds an observer of running and stopping (the health monitor, built after this manager since it execs through it).</summary>
    public void Observe(IContainerRunObserver observer)
    {
        lock (_gate) _observers = [.. _observers, observer];
    }

    void Notify(Container c, bool running)
    {
        foreach (var o in _observers)
        {
            try { if (running) o.Running(c); else o.NotRunning(c); }
            catch (Exception e) { Console.Error.WriteLine($"container {Ids.Short(c.Id)}: {e.Message}"); }
        }
    }

    // ---- events ------------------------------------------------------------------------------

    internal void Publish(Container c, string action, params (string Key, string Value)[] extra)
    {
        var attrs = new Dictionary<string, string> { ["name"] = c.Name, ["image"] = c.Config.Image };
        foreach (var (k, v) in c.Config.Labels) attrs[k] = v;
        foreach (var (k, v) in extra) attrs[k] = v;
        _events.Publish(EngineEvent.Create("container", action, c.Id, attrs));
    }

    public void Dispose()
    {
        _exitMonitor?.Dispose();
        foreach (var c in All()) c.Output.Dispose();
    }
}
