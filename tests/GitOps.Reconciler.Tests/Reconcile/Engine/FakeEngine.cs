using System.Globalization;
using GitOps.Reconciler.Ports;
using GitOps.Reconciler.Reconcile;

namespace GitOps.Reconciler.Tests.Reconcile.Engine;

/// <summary>
/// A recording, in-memory <see cref="IEnginePort"/>: it keeps containers, networks, volumes, routers and
/// secrets as an engine would, writes every mutating call to <see cref="Calls"/> ("create p-web-1", "start
/// p-web-1", ...), and can fail the k-th mutating call (<see cref="FailAt"/>) or decide what a started container
/// does (<see cref="OnStart"/>), so the executor's ordering, batching, resume and rollback can be asserted without root.
/// </summary>
internal sealed class FakeEngine : IEnginePort
{
    internal sealed class Box
    {
        public required string Id;
        public required string Name;
        public required Dictionary<string, string> Labels;
        public required string Image;
        public required List<string> Env;
        public DateTimeOffset Created;
        public string Status = "created";
        public int ExitCode;
        public string? Health { get; set; }
        public bool StoppedByUser;
        public bool Running => Status == "running";
    }

    readonly Dictionary<string, Box> _containers = new(StringComparer.Ordinal);
    readonly Dictionary<string, NetworkView> _networks = new(StringComparer.Ordinal);
    readonly Dictionary<string, VolumeView> _volumes = new(StringComparer.Ordinal);
    readonly Dictionary<string, RouterView> _routers = new(StringComparer.Ordinal);
    readonly Dictionary<(bool, string), ObjectView> _objects = [];
    readonly object _lock = new();
    int _next;
    int _mutations;

    public List<string> Calls { get; } = [];
    public HashSet<string> Images { get; } = new(StringComparer.Ordinal);

    /// <summary>1-based: the mutating call that throws (once), as if the engine or the daemon failed right there.</summary>
    public int? FailAt { get; set; }
    /// <summary>Calls starting with this prefix throw (every time): "pull ", "start p-web-1".</summary>
    public string? FailOn { get; set; }
    /// <summary>Decides what a started container does; by default it runs (healthy when it has a health check).</summary>
    public Action<Box>? OnStart { get; set; }
    public int Mutations => _mutations;

    /// <summary>Highest and lowest number of running main containers of a service ever seen after a call.</summary>
    public Dictionary<string, (int Max, int Min)> Running { get; } = new(StringComparer.Ordinal);

    public IReadOnlyCollection<Box> All { get { lock (_lock) return _containers.Values.ToList(); } }
    public Box? Container(string name) { lock (_lock) return _containers.Values.FirstOrDefault(c => c.Name == name); }
    public IReadOnlyCollection<string> NetworkNames => _networks.Keys;
    public IReadOnlyCollection<string> VolumeNames => _volumes.Keys;
    public RouterView? Router(string name) => _routers.GetValueOrDefault(name);

    // ---- reading ----
    public IReadOnlyList<ContainerView> Containers() { lock (_lock) return _containers.Values.Select(View).ToList(); }
    public ContainerView? FindContainer(string nameOrId) { lock (_lock) return Find(nameOrId) is { } c ? View(c) : null; }
    public IReadOnlyList<NetworkView> Networks() { lock (_lock) return _networks.Values.ToList(); }
    public IReadOnlyList<VolumeView> Volumes() { lock (_lock) return _volumes.Values.ToList(); }
    public IReadOnlyList<RouterView> Routers() { lock (_lock) return _routers.Values.ToList(); }
    public IReadOnlyList<ObjectView> Objects(bool config) { lock (_lock) return _objects.Values.Where(o => o.IsConfig == config).ToList(); }
    public bool HasImage(string image) { lock (_lock) return Images.Contains(image); }

    // ---- acting ----
    public void CreateNetwork(NetworkSpec spec) => Do($"create-network {spec.Name}", () =>
    {
        if (_networks.ContainsKey(spec.Name)) throw new EngineFailure($"network {spec.Name} exists");
        _networks[spec.Name] = new NetworkView("net-" + spec.Name, spec.Name, spec.Labels);
    });

    public void RemoveNetwork(string nameOrId) => Do($"remove-network {nameOrId}", () =>
    {
        var n = _networks.Values.FirstOrDefault(n => n.Name == nameOrId || n.Id == nameOrId);
        if (n is not null) _networks.Remove(n.Name);
    });

    public void CreateVolume(VolumeSpec spec) => Do($"create-volume {spec.Name}", () =>
    {
        if (_volumes.ContainsKey(spec.Name)) throw new EngineFailure($"volume {spec.Name} exists");
        _volumes[spec.Name] = new VolumeView(spec.Name, spec.Labels);
    });

    public void RemoveVolume(string name) => Do($"remove-volume {name}", () => _volumes.Remove(name));

    public void EnsureObject(ObjectSpec spec) => Do($"ensure-{(spec.IsConfig ? "config" : "secret")} {spec.Name}", () =>
        _objects[(spec.IsConfig, spec.Name)] = new ObjectView("obj-" + spec.Name, spec.Name, spec.IsConfig, spec.Labels));

    public void RemoveObject(bool config, string nameOrId) => Do($"remove-{(config ? "config" : "secret")} {nameOrId}", () =>
        _objects.Remove((config, nameOrId)));

    public Task PullImageAsync(string image, string? platform, CancellationToken ct) { Do($"pull {image}", () => Images.Add(image)); return Task.CompletedTask; }

    public Task BuildImageAsync(ImageBuildSpec spec, CancellationToken ct) { Do($"build {spec.Tag}", () => Images.Add(spec.Tag)); return Task.CompletedTask; }

    public string CreateContainer(ContainerSpec spec) => Do($"create {spec.Name}", () =>
    {
        if (_containers.Values.Any(c => c.Name == spec.Name)) throw new EngineFailure($"container name {spec.Name} is in use");
        var id = (++_next).ToString("x8", CultureInfo.InvariantCulture) + new string('0', 56);
        _containers[id] = new Box
        {
            Id = id, Name = spec.Name, Labels = spec.Labels(), Image = spec.Container.Image,
            Env = [.. spec.Container.Env.Where(e => e.Value is not null).Select(e => $"{e.Name}={e.Value}")],
            Created = DateTimeOffset.UnixEpoch.AddSeconds(_next),
        };
        return id;
    });

    public Task StartContainerAsync(string nameOrId, CancellationToken ct) { Start("start", nameOrId); return Task.CompletedTask; }
    public Task StartHeldAsync(string nameOrId, CancellationToken ct) { Start("start-held", nameOrId); return Task.CompletedTask; }
    public Task ReleaseAsync(string nameOrId, CancellationToken ct) { Do($"release {NameOf(nameOrId)}", () => Get(nameOrId)); return Task.CompletedTask; }

    public Task StopContainerAsync(string nameOrId, int? timeoutSeconds, CancellationToken ct)
    {
        Do($"stop {NameOf(nameOrId)}", () => { var c = Get(nameOrId); c.Status = "exited"; c.ExitCode = 0; });
        return Task.CompletedTask;
    }

    public Task RemoveContainerAsync(string nameOrId, CancellationToken ct)
    {
        Do($"remove {NameOf(nameOrId)}", () => { if (Find(nameOrId) is { } c) _containers.Remove(c.Id); });
        return Task.CompletedTask;
    }

    public void RenameContainer(string id, string name) => Do($"rename {NameOf(id)} {name}", () =>
    {
        if (_containers.Values.Any(c => c.Name == name && c.Id != id)) throw new EngineFailure($"container name {name} is in use");
        Get(id).Name = name;
    });

    public Task<int> WaitExitAsync(string nameOrId, CancellationToken ct)
    {
        lock (_lock) return Task.FromResult(Get(nameOrId).ExitCode);
    }

    public void CreateRouter(RouterSpec spec) => Do($"create-router {spec.Name} {Describe(spec.Backends)}", () =>
        _routers[spec.Name] = new RouterView(spec.Name, spec.Port, spec.Protocol, spec.HostPort, spec.Labels, spec.Backends));

    public void SetRouterBackends(string name, IReadOnlyList<RouterBackend> backends) => Do($"backends {name} {Describe(backends)}", () =>
    {
        var r = _routers.GetValueOrDefault(name) ?? throw new EngineFailure($"router {name} not found") { NotFound = true };
        _routers[name] = r with { Backends = backends };
    });

    public void RemoveRouter(string name) => Do($"remove-router {name}", () => _routers.Remove(name));

    public List<string> Events { get; } = [];
    public void PublishEvent(string type, string action, string id, IReadOnlyDictionary<string, string> attributes) { lock (_lock) Events.Add($"{type} {action}"); }

    // ---- what a user does behind the reconciler's back ----
    public void StopByUser(string name) { lock (_lock) { var c = Container(name)!; c.Status = "exited"; c.StoppedByUser = true; } }
    public void RemoveByUser(string name) { lock (_lock) _containers.Remove(Container(name)!.Id); }

    // ---- plumbing ----
    void Start(string verb, string nameOrId) => Do($"{verb} {NameOf(nameOrId)}", () =>
    {
        var c = Get(nameOrId);
        c.Status = "running";
        c.ExitCode = 0;
        c.StoppedByUser = false;
        // An init container runs to completion at once: the pod's start sequence waits for its exit code.
        if (c.Labels.GetValueOrDefault(ManagedLabels.Role) == ManagedLabels.InitContainer) c.Status = "exited";
        OnStart?.Invoke(c);
    });

    void Do(string call, Action a) => Do(call, () => { a(); return 0; });

    T Do<T>(string call, Func<T> f)
    {
        lock (_lock)
        {
            _mutations++;
            if (FailAt == _mutations || (FailOn is { } prefix && call.StartsWith(prefix, StringComparison.Ordinal)))
            {
                Calls.Add("FAILED " + call);
                throw new EngineFailure($"injected failure at {call}");
            }
            Calls.Add(call);
            var result = f();
            foreach (var g in _containers.Values.Where(c => !c.Labels.ContainsKey(ManagedLabels.Part)).GroupBy(c => c.Labels.GetValueOrDefault(ManagedLabels.Service) ?? ""))
            {
                var n = g.Count(c => c.Running);
                Running[g.Key] = Running.TryGetValue(g.Key, out var seen) ? (Math.Max(seen.Max, n), Math.Min(seen.Min, n)) : (n, n);
            }
            return result;
        }
    }

    Box? Find(string nameOrId) => _containers.GetValueOrDefault(nameOrId) ?? _containers.Values.FirstOrDefault(c => c.Name == nameOrId);
    Box Get(string nameOrId) => Find(nameOrId) ?? throw new EngineFailure($"no such container: {nameOrId}") { NotFound = true };
    string NameOf(string nameOrId) { lock (_lock) return Find(nameOrId)?.Name ?? nameOrId; }

    static string Describe(IReadOnlyList<RouterBackend> backends) =>
        string.Join(",", backends.Select(b => b.Container + (b.Ready ? "" : "(unready)")));

    static ContainerView View(Box c) => new(c.Id, c.Name, new Dictionary<string, string>(c.Labels), c.Image, c.Env.ToList(), c.Created)
    {
        Status = c.Status, Running = c.Running, ExitCode = c.ExitCode, StoppedByUser = c.StoppedByUser,
        Health = c.Health,
    };
}
