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

    // ---- create ------------------------------------------------------------------------------

    public Container Create(CreateRequest req)
    {
        var sw = Trace ? System.Diagnostics.Stopwatch.StartNew() : null;
        CreateRequestLimits.Check(req);
        var image = _images.Resolve(req.Image);
        if (sw is not null) Console.Error.WriteLine($"trace create resolved image: {sw.Elapsed.TotalMilliseconds:0.00} ms");
        var h = req.HostConfig;
        Validate(req, h);
        var networkPlan = _networks.Plan(h, req.Networks);
        if (networkPlan.Kind == Networking.NetworkModeKind.Container && req.Hostname is { Length: > 0 })
            throw new InvalidArgumentException("conflicting options: hostname and the network mode");
        if (networkPlan.Kind == Networking.NetworkModeKind.Container && req.ExposedPorts.Count > 0)
            throw new InvalidArgumentException("conflicting options: port exposing and the container type network mode");
        var cfg = image.Config.Config;
        var command = CommandResolver.Resolve(cfg.Entrypoint, cfg.Cmd, req.Entrypoint, req.Cmd);
        var id = Ids.New();
        string name;
        lock (_gate)
        {
            name = req.Name?.TrimStart('/') ?? NameGenerator.Generate(_idByName.ContainsKey);
            if (!Ids.IsValidName(name))
                throw new InvalidArgumentException($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
            if (_idByName.TryGetValue(name, out var existing))
                throw new ConflictException($"Conflict. The container name \"/{name}\" is already in use by container \"{existing}\". You have to remove (or rename) that container to be able to reuse that name.");
            _idByName[name] = id; // reserved; released below if anything fails
        }
        var files = new ContainerFiles(_paths.Container(id), id);
        StoragePlan? storage = null;
        try
        {
            storage = _storage.Plan(id, req, cfg.Volumes?.Keys.ToList() ?? [], Find);
            // --network host: the host's name, as Docker does (the UTS namespace stays private).
            var hostname = req.Hostname is { Length: > 0 } hn ? hn
                : networkPlan.Kind == Networking.NetworkModeKind.Host ? ContainerFiles.HostHostname() : Ids.Short(id);
            var config = new ContainerConfig
            {
                Id = id,
                Name = name,
                Image = req.Image,
                ImageId = image.Record.Id,
                Created = DateTimeOffset.UtcNow,
                Path = command.Command[0],
                Args = command.Command.Skip(1).ToList(),
                Cmd = command.Cmd,
                Entrypoint = command.Entrypoint,
                Env = ConfigChanges.MergeEnv(cfg.Env ?? [], req.Env.Select(SplitEnv)),
                WorkingDir = req.WorkingDir ?? cfg.WorkingDir ?? "",
                User = req.User ?? cfg.User ?? "",
                Hostname = hostname,
                Domainname = req.Domainname ?? "",
                Tty = req.Tty,
                OpenStdin = req.OpenStdin,
                StdinOnce = req.StdinOnce,
                Labels = new Dictionary<string, string>((cfg.Labels ?? []).Concat(req.Labels).GroupBy(kv => kv.Key).Select(g => g.Last())),
                StopSignal = req.StopSignal ?? cfg.StopSignal ?? "SIGTERM",
                StopTimeout = req.StopTimeout ?? 10,
                Healthcheck = Health.HealthSpec.Merge(req.Healthcheck, cfg.Healthcheck),
                ExposedPorts = (cfg.ExposedPorts?.Keys.AsEnumerable() ?? []).Concat(req.ExposedPorts.Select(NormalizePort))
                    .Concat(h.PortBindings.Keys.Select(NormalizePort)).Distinct().ToList(),
                Networks = req.Networks,
                Volumes = cfg.Volumes?.Keys.ToList() ?? [],
                HostConfig = h,
                Mounts = storage.Mounts,
                Secrets = storage.Secrets,
                Configs = storage.Configs,
                SecretEnv = storage.SecretEnv,
                SecretEnvFrom = storage.SecretEnvFrom,
            };
            Signals.Parse(config.StopSignal);
            files.Create(hostname,
                networkPlan.Kind == Networking.NetworkModeKind.Host ? ContainerFiles.HostHosts() : ContainerFiles.DefaultHosts(hostname),
                _networks.ResolvConf(networkPlan));
            AtomicFile.WriteJson(files.Config, config, RuntimeJson.Default.ContainerConfig, syncDirectory: false);
            var container = new Container(config, new ContainerState(), files, NewOutput(files, h));
            container.Update(s => s);
            // One directory sync makes the container (config and state) durable before create returns.
            AtomicFile.SyncDirectory(files.Dir);
            AtomicFile.SyncDirectory(_paths.Containers);
            lock (_gate) _byId[id] = container;
            Publish(container, "create");
            if (sw is not null) Console.Error.WriteLine($"trace create: {sw.Elapsed.TotalMilliseconds:0.00} ms");
            return container;
        }
        catch
        {
            lock (_gate) _idByName.Remove(name);
            if (storage is not null) _storage.Abandon(id, storage);
            if (Directory.Exists(files.Dir)) ImageStore.DeleteTree(files.Dir);
            throw;
        }
    }

    void Validate(CreateRequest req, HostConfig h)
    {
        if (Health.HealthSpec.Validate(req.Healthcheck) is [var healthError, ..]) throw new InvalidArgumentException(healthError);
        if (h.Memory is > 0 and < 6 * 1024 * 1024)
            throw new InvalidArgumentException("Minimum memory limit allowed is 6MB");
        if (h.Memory < 0) throw new InvalidArgumentException("invalid memory limit: must be positive");
        if (h.MemorySwap > 0 && h.Memory > 0 && h.MemorySwap < h.Memory)
            throw new InvalidArgumentException("Minimum memoryswap limit should be larger than memory limit, see usage");
        if (h.NanoCpus < 0) throw new InvalidArgumentException("invalid --cpus: must be positive");
        if (h.NanoCpus > 0 && h.NanoCpus > Environment.ProcessorCount * 1_000_000_000L)
            throw new InvalidArgumentException($"range of CPUs is from 0.01 to {Environment.ProcessorCount}.00, as there are only {Environment.ProcessorCount} CPUs available");
        if (h.AutoRemove && h.RestartPolicy.Name != "no")
            throw new InvalidArgumentException("Conflicting options: --restart and --rm");
        if (h.Init && _tiniPath is null)
            throw new InvalidArgumentException("--init needs tini, which is not installed (apt-get install tini)");
        if (req.StopTimeout is < -1) throw new InvalidArgumentException("invalid stop timeout");
        foreach (var port in h.PortBindings.Keys.Concat(req.ExposedPorts)) Networking.NetworkManager.ParsePort(port);
    }

    static string NormalizePort(string port)
    {
        var (number, proto) = Networking.NetworkManager.ParsePort(port);
        return $"{number}/{proto}";
    }

    static KeyValuePair<string, string> SplitEnv(string e)
    {
        var i = e.IndexOf('=');
        return i < 0 ? new(e, Environment.GetEnvironmentVariable(e) ?? "") : new(e[..i], e[(i + 1)..]);
    }

    static ContainerOutput NewOutput(ContainerFiles files, HostConfig h) =>
        new(new JsonFileLog(files.Log, h.LogMaxSize, h.LogMaxFiles));

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

    void StartLocked(Container c, bool manual)
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
        try
        {
            launched = _launcher.Launch(config, BuildSpec(c, image, newNet, netOwner), stdio, tini, joinNet);
        }
        catch (StartFailedException e)
        {
            stdio.Dispose();
            _storage.Stopped(config);
            c.Update(s => s with { ExitCode = e.ExitCode, Error = e.Message, Running = false });
            throw;
        }
        catch
        {
            stdio.Dispose();
            _storage.Stopped(config);
            throw;
        }
        finally
        {
            tini?.Dispose();
            joinNet?.Dispose();
        }

        var proc = new RunningProcess(launched.Pid, launched.StartTime, launched.Pidfd, launched.Cgroup, isChild: true)
        {
            StdinWrite = stdio.StdinWrite,
            PtyWrite = stdio.PtyMaster is null ? null : Sys.Dup(stdio.PtyMaster),
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
        return new InitSpec
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
                Capabilities = Capabilities(config.HostConfig),
            },
        };
    }

    static ulong Capabilities(HostConfig h)
    {
        var mask = Defaults.CapabilityMask;
        foreach (var name in h.CapAdd) mask = name.Equals("ALL", StringComparison.OrdinalIgnoreCase) ? ulong.MaxValue >> 23 : mask | (1UL << (int)ParseCap(name));
        foreach (var name in h.CapDrop) mask = name.Equals("ALL", StringComparison.OrdinalIgnoreCase) ? 0 : mask & ~(1UL << (int)ParseCap(name));
        return mask;
    }

    static Capability ParseCap(string name)
    {
        var n = name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? name[4..] : name;
        return Enum.TryParse<Capability>(n.Replace("_", ""), ignoreCase: true, out var cap)
            ? cap : throw new InvalidArgumentException($"unknown capability: \"{name}\"");
    }

    // ---- exit --------------------------------------------------------------------------------

    static readonly bool Trace = Environment.GetEnvironmentVariable("GITOPS_TRACE") == "1";

    void OnExit(Container c, RunningProcess proc)
    {
        var sw = Trace ? System.Diagnostics.Stopwatch.StartNew() : null;
        ExitStatus status;
        try
        {
            status = proc.IsChild
                ? Sys.WaitPidfd(proc.Pidfd, block: true) ?? new ExitStatus(255, 0, false)
                : _exitMonitor?.TakeExit(proc.Pid) ?? new ExitStatus(255, 0, false);
        }
        catch (ErrnoException) { status = new ExitStatus(255, 0, false); }

        // Let the pump read what the container wrote last (the FIFOs reach end-of-file once every
        // process of the container is gone), so `run` and `logs` show the final lines.
        c.Output.Drained.Wait(TimeSpan.FromSeconds(2));
        if (sw is not null) Console.Error.WriteLine($"trace exit drained: {sw.Elapsed.TotalMilliseconds:0.00} ms");
        var oom = false;
        try
        {
            oom = proc.Cgroup.OomKilled();
            proc.Cgroup.KillAll();
        }
        catch (IOException e) { Console.Error.WriteLine($"container {Ids.Short(c.Id)}: cgroup cleanup: {e.Message}"); }
        // rmdir can be refused for a moment after the last task left: let it happen off this path.
        var cgroup = proc.Cgroup;
        c.CgroupRemoval = Task.Run(() =>
        {
            try { cgroup.Delete(); }
            catch (IOException e) { Console.Error.WriteLine($"container {Ids.Short(c.Id)}: cgroup removal: {e.Message}"); }
        });
        foreach (var hook in _hooks)
        {
            try { hook.AfterStop(c.Config); }
            catch (Exception e) { Console.Error.WriteLine($"container {Ids.Short(c.Id)}: {e.Message}"); }
        }
        _storage.Stopped(c.Config);
        proc.Dispose();
        if (sw is not null) Console.Error.WriteLine($"trace exit cgroup gone: {sw.Elapsed.TotalMilliseconds:0.00} ms");

        var ranFor = DateTimeOffset.UtcNow - proc.StartedAt;
        var state = c.Update(s => s with
        {
            Status = ContainerStatus.Exited, Running = false, Pid = 0, PidStartTime = 0,
            ExitCode = status.ShellCode, OOMKilled = oom, FinishedAt = DateTimeOffset.UtcNow,
        });
        c.Process = null;
        Notify(c, running: false);
        c.Output.CompleteSubscribers();
        if (oom) Publish(c, "oom");
        Publish(c, "die", ("exitCode", state.ExitCode.ToString()));
        proc.Exited.TrySetResult(status);
        if (sw is not null) Console.Error.WriteLine($"trace exit recorded: {sw.Elapsed.TotalMilliseconds:0.00} ms");

        if (c.Removed) return;
        if (c.Config.HostConfig.AutoRemove)
        {
            // --rm takes anonymous volumes along, as Docker's. A failure must show, and must not leave
            // `run --rm` (wait condition=removed) waiting forever.
            _ = RemoveAsync(c.Id, force: true, removeVolumes: true).ContinueWith(t =>
            {
                var why = t.Exception!.GetBaseException();
                Console.Error.WriteLine($"container {Ids.Short(c.Id)}: auto-remove failed: {why.Message}");
                c.RemovedSignal.TrySetException(why);
            }, TaskContinuationOptions.OnlyOnFaulted);
            return;
        }
        if (!proc.StopRequested && ShouldRestart(c.Config.HostConfig.RestartPolicy, state)) ScheduleRestart(c, ranFor);
    }

    static bool ShouldRestart(RestartPolicy policy, ContainerState state) => policy.Name switch
    {
        "always" => true,
        "unless-stopped" => !state.ManuallyStopped,
        "on-failure" => state.ExitCode != 0 && (policy.MaximumRetryCount == 0 || state.RestartCount < policy.MaximumRetryCount),
        _ => false,
    };

    /// <summary>
    /// Docker's back-off: 100 ms, doubled after each restart, at most a minute; a container that ran
    /// for 10 s or more is considered healthy again and the delay starts over.
    /// </summary>
    void ScheduleRestart(Container c, TimeSpan ranFor)
    {
        var count = c.State.RestartCount;
        var attempt = ranFor >= TimeSpan.FromSeconds(10) ? 0 : Math.Min(count, 10);
        var delay = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt), 60_000));
        var cts = new CancellationTokenSource();
        c.PendingRestart = cts;
        c.Update(s => s with { Status = ContainerStatus.Restarting, Restarting = true });
        _ = Task.Run(async () =>
        {
            try { await Task.Delay(delay, cts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            await c.Lifecycle.WaitAsync().ConfigureAwait(false);
            try
            {
                if (cts.IsCancellationRequested || c.Removed || c.Process is not null) return;
                c.PendingRestart = null;
                c.Update(s => s with { RestartCount = s.RestartCount + 1 });
                StartLocked(c, manual: false);
                Publish(c, "restart");
            }
            catch (Exception e)
            {
                c.Update(s => s with { Status = ContainerStatus.Exited, Restarting = false, Error = e.Message });
                Console.Error.WriteLine($"container {Ids.Short(c.Id)}: restart failed: {e.Message}");
            }
            finally { c.Lifecycle.Release(); }
        });
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

    // ---- remove ------------------------------------------------------------------------------

    /// <param name="removeVolumes">rm -v: also remove the container's anonymous volumes (named ones stay).</param>
    public async Task RemoveAsync(string idOrName, bool force, CancellationToken ct = default, bool removeVolumes = false)
    {
        var c = Get(idOrName);
        await c.Lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (c.Removed) return;
            CancelPendingRestart(c);
            if (c.Process is { } proc)
            {
                if (!force)
                    throw new ConflictException($"cannot remove container \"/{c.Name}\": container is running: stop the container before removing or force remove");
                proc.StopRequested = true;
                Sys.PidfdSendSignal(proc.Pidfd, 9);
                Publish(c, "kill", ("signal", "9"));
                await proc.Exited.Task.ConfigureAwait(false);
            }
            var sw = Trace ? System.Diagnostics.Stopwatch.StartNew() : null;
            c.Removed = true;
            // OnExit removes the cgroup off its own path: let that finish rather than race it.
            await c.CgroupRemoval.ConfigureAwait(false);
            var cgroup = _cgroups.Open(c.Id);
            try { if (cgroup.Exists) { cgroup.KillAll(); cgroup.Delete(); } }
            catch (IOException) { cgroup.Delete(); } // a hierarchy vanished under KillAll; Delete tolerates missing ones
            c.Output.Dispose();
            // One rename takes the container out of the store atomically; the files go in the background
            // (a restart finishes the job, it empties tmp/).
            var doomed = Path.Combine(_paths.Tmp, "removed-" + c.Id);
            Directory.Move(c.Files.Dir, doomed);
            _storage.Removed(c.Config, removeVolumes);
            _ = Task.Run(() =>
            {
                try { ImageStore.DeleteTree(doomed); }
                catch (IOException e) { Console.Error.WriteLine($"removing {doomed}: {e.Message}"); }
            });
            lock (_gate)
            {
                _byId.Remove(c.Id);
                if (_idByName.TryGetValue(c.Name, out var id) && id == c.Id) _idByName.Remove(c.Name);
                _removed[c.Id] = (c.State.ExitCode, Environment.TickCount64);
                if (_removed.Count > 1024)
                    foreach (var old in _removed.Where(r => Environment.TickCount64 - r.Value.At > 60_000).Select(r => r.Key).ToList())
                        _removed.Remove(old);
            }
            Publish(c, "destroy");
            if (sw is not null) Console.Error.WriteLine($"trace remove: {sw.Elapsed.TotalMilliseconds:0.00} ms");
            c.RemovedSignal.TrySetResult();
        }
        finally { c.Lifecycle.Release(); }
    }

    /// <summary>docker network connect: kept in the config for later starts, applied at once if running.</summary>
    public async Task ConnectAsync(string idOrName, string network, Networking.EndpointRequest request)
    {
        var c = Get(idOrName);
        var net = _networks.Get(network);
        await c.Lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (c.Config.HostConfig.NetworkMode is "none" or "host" || c.Config.HostConfig.NetworkMode.StartsWith("container:", StringComparison.Ordinal))
                throw new ConflictException($"container cannot be connected to network {net.Name}: its network mode is {c.Config.HostConfig.NetworkMode}");
            if (c.Process is { } p) _networks.Connect(c.Config, p.Pid, net, request);
            c.Config = c.Config with { Networks = new Dictionary<string, Networking.EndpointRequest>(c.Config.Networks) { [net.Name] = request } };
            AtomicFile.WriteJson(c.Files.Config, c.Config, RuntimeJson.Default.ContainerConfig);
        }
        finally { c.Lifecycle.Release(); }
    }

    public async Task DisconnectAsync(string idOrName, string network)
    {
        var c = Get(idOrName);
        var net = _networks.Get(network);
        await c.Lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (c.Process is not null) _networks.Disconnect(c.Config, net);
            var networks = new Dictionary<string, Networking.EndpointRequest>(c.Config.Networks);
            networks.Remove(net.Name);
            networks.Remove(net.Id);
            var h = c.Config.HostConfig;
            // Leaving the network of --network leaves the container with no network at its next start, as Docker does.
            if (_networks.Find(h.NetworkMode)?.Id == net.Id || (net.IsDefault && h.NetworkMode is "bridge" or "default" or ""))
                h = h with { NetworkMode = "none" };
            c.Config = c.Config with { Networks = networks, HostConfig = h };
            AtomicFile.WriteJson(c.Files.Config, c.Config, RuntimeJson.Default.ContainerConfig);
        }
        finally { c.Lifecycle.Release(); }
    }

    public void Rename(string idOrName, string newName)
    {
        var c = Get(idOrName);
        newName = newName.TrimStart('/');
        if (!Ids.IsValidName(newName)) throw new InvalidArgumentException($"Invalid container name ({newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        lock (_gate)
        {
            if (_idByName.TryGetValue(newName, out var other) && other != c.Id)
                throw new ConflictException($"Conflict. The container name \"/{newName}\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name.");
            _idByName.Remove(c.Name);
            _idByName[newName] = c.Id;
            c.Config = c.Config with { Name = newName };
            AtomicFile.WriteJson(c.Files.Config, c.Config, RuntimeJson.Default.ContainerConfig);
        }
        _networks.Renamed(c.Id, newName); // the embedded DNS answers the new name from now on
        Publish(c, "rename");
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
