using System.Globalization;
using GitOps.Reconciler.Reconcile;
using GitOps.Runtime;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;
using GitOps.Runtime.Networking;
using GitOps.Runtime.Secrets;
using GitOps.Runtime.Volumes;

namespace GitOps.Reconciler.Ports.Local;

/// <summary>
/// The reconciler's port on this machine's own engine. Stateless (each call goes to the engine), so one may
/// be made wherever an <see cref="Engine"/> is at hand. Engine exceptions become <see cref="EngineFailure"/>s.
/// </summary>
internal sealed partial class LocalEngine(Engine engine) : IEnginePort
{
    public IReadOnlyList<ContainerView> Containers() => engine.Containers.All().Select(View).ToList();

    public ContainerView? FindContainer(string nameOrId) => engine.Containers.Find(nameOrId) is { } c ? View(c) : null;

    public IReadOnlyList<NetworkView> Networks() => engine.Networks.List().Select(n => new NetworkView(n.Id, n.Name, n.Labels)).ToList();

    public IReadOnlyList<VolumeView> Volumes() => engine.Volumes.List().Select(v => new VolumeView(v.Name, v.Labels)).ToList();

    public IReadOnlyList<RouterView> Routers() => engine.Networks.ListRouters()
        .Select(r => new RouterView(r.Name, r.Port, r.Protocol, r.HostPort, r.Labels,
            r.Backends.Select(b => new RouterBackend(b.Container, b.Port, b.Weight, b.Ready)).ToList())).ToList();

    public IReadOnlyList<ObjectView> Objects(bool config) =>
        engine.Secrets.List(Kind(config)).Select(o => new ObjectView(o.Id, o.Name, config, o.Labels)).ToList();

    public bool HasImage(string image) => engine.Images.Find(image) is not null;

    public void CreateNetwork(NetworkSpec spec) => Guard(() => engine.Networks.Create(new NetworkCreate
    {
        Name = spec.Name, Subnet = spec.Subnet, Gateway = spec.Gateway, Internal = spec.Internal, Labels = new(spec.Labels, StringComparer.Ordinal),
    }));

    public void RemoveNetwork(string nameOrId) => Gone(() => engine.Networks.Remove(nameOrId));

    public void CreateVolume(VolumeSpec spec) => Guard(() => engine.Volumes.Create(spec.Name, spec.Driver, spec.Labels, spec.Options));

    public void RemoveVolume(string name) => Gone(() => engine.Volumes.Remove(name));

    public void EnsureObject(ObjectSpec spec) => Guard(() => engine.Secrets.Ensure(Kind(spec.IsConfig), new SecretSpec
    {
        Name = spec.Name, Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal), Data = spec.Payload.Value,
        Items = spec.Payload.Items?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
    }));

    public void RemoveObject(bool config, string nameOrId) => Gone(() => engine.Secrets.Remove(Kind(config), nameOrId));

    public Task PullImageAsync(string image, string? platform, CancellationToken ct)
    {
        if (!ImageReference.TryParse(image, out var reference, out var error)) throw new EngineFailure($"invalid image reference \"{image}\": {error}");
        return GuardAsync(() => engine.Puller.PullAsync(reference!, platform, _ => { }, ct));
    }

    public Task BuildImageAsync(ImageBuildSpec spec, CancellationToken ct) => GuardAsync(() => engine.NewBuilder().BuildAsync(new GitOps.Runtime.Images.Build.BuildRequest
    {
        ContextDir = spec.Context, Dockerfile = spec.Dockerfile, Target = spec.Target,
        Tags = [ImageReference.Parse(spec.Tag)],
        BuildArgs = spec.Args.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
        Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
    }, _ => { }, ct));

    public string CreateContainer(ContainerSpec spec)
    {
        var req = ContainerRequests.Build(spec);
        KeepAnonymousVolumes(spec.App, req);
        return Guard(() => engine.Containers.Create(req).Id);
    }

    public Task StartContainerAsync(string nameOrId, CancellationToken ct) => GuardAsync(() => engine.Containers.StartAsync(nameOrId, ct));

    public Task StartHeldAsync(string nameOrId, CancellationToken ct) => GuardAsync(() => engine.Containers.StartHeldAsync(nameOrId, ct));

    public Task ReleaseAsync(string nameOrId, CancellationToken ct) => GuardAsync(() => engine.Containers.ReleaseAsync(nameOrId, ct));

    public Task StopContainerAsync(string nameOrId, int? timeoutSeconds, CancellationToken ct) =>
        GuardAsync(() => engine.Containers.StopAsync(nameOrId, timeoutSeconds, ct));

    public async Task RemoveContainerAsync(string nameOrId, CancellationToken ct)
    {
        try { await engine.Containers.RemoveAsync(nameOrId, force: true, ct); }
        catch (NotFoundException) { }
        catch (EngineException e) { throw new EngineFailure(e.Message, e); }
    }

    public void RenameContainer(string id, string name) => Guard(() => engine.Containers.Rename(id, name));

    public async Task<int> WaitExitAsync(string nameOrId, CancellationToken ct)
    {
        try { return await engine.Containers.WaitAsync(nameOrId, "not-running", ct); }
        catch (EngineException e) { throw new EngineFailure(e.Message, e) { NotFound = e is NotFoundException }; }
    }

    public void CreateRouter(RouterSpec spec) => Guard(() => engine.Networks.CreateRouter(new RouterCreate
    {
        Name = spec.Name, Network = spec.Network, Port = spec.Port, Protocol = spec.Protocol, HostPort = spec.HostPort,
        Backends = Backends(spec.Backends), Labels = new(spec.Labels, StringComparer.Ordinal),
    }));

    public void SetRouterBackends(string name, IReadOnlyList<RouterBackend> backends) => Guard(() => engine.Networks.SetBackends(name, Backends(backends)));

    public void RemoveRouter(string name) => Gone(() => engine.Networks.RemoveRouter(name));

    public void PublishEvent(string type, string action, string id, IReadOnlyDictionary<string, string> attributes) =>
        engine.Events.Publish(GitOps.Runtime.Events.EngineEvent.Create(type, action, id, attributes));

    static List<RouterBackendConfig> Backends(IReadOnlyList<RouterBackend> backends) =>
        backends.Select(b => new RouterBackendConfig { Container = b.Container, Port = b.Port, Weight = b.Weight, Ready = b.Ready }).ToList();

    static SecretKind Kind(bool config) => config ? SecretKind.Config : SecretKind.Secret;

    static ContainerView View(Container c)
    {
        var s = c.State;
        return new ContainerView(c.Id, c.Name, c.Config.Labels, c.Config.Image, c.Config.Env, c.Config.Created)
        {
            Status = s.Status, Running = s.Running, Restarting = s.Restarting, ExitCode = s.ExitCode, FinishedAt = s.FinishedAt,
            StoppedByUser = s.ManuallyStopped, Health = s.Health?.Status, HealthOutput = s.Health?.Log.LastOrDefault()?.Output.Trim(),
            Published = c.Config.HostConfig.PortBindings.Count == 0 ? [] : Published(c.Config.HostConfig.PortBindings),
        };
    }

    static List<HostPort> Published(Dictionary<string, List<PortBindingRequest>> bindings) =>
        bindings.SelectMany(kv => kv.Value.Select(b => new HostPort(int.TryParse(b.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var hp) ? hp : 0,
            kv.Key.Contains('/', StringComparison.Ordinal) ? kv.Key[(kv.Key.IndexOf('/', StringComparison.Ordinal) + 1)..] : "tcp")))
            .Where(x => x.Port > 0).ToList();

    /// <summary>
    /// Anonymous mounts (Compose's <c>- /data</c> and the image's VOLUMEs not covered by a mount) get the container's
    /// own named volume, created here with Docker's anonymous label: a recreated or updated replica keeps its data,
    /// and once no container uses it, <c>volume prune</c> may take it, as with Docker's anonymous volumes.
    /// </summary>
    void KeepAnonymousVolumes(DesiredApp app, CreateRequest req)
    {
        var container = req.Name!;
        var mounts = req.HostConfig.Mounts.ToList();
        IEnumerable<string> image = engine.Images.Find(req.Image) is null ? [] : engine.Images.Resolve(req.Image).Config.Config.Volumes?.Keys ?? (IEnumerable<string>)[];
        foreach (var path in image)
        {
            var target = path.TrimEnd('/');
            if (target.Length == 0 || mounts.Any(m => m.Target.TrimEnd('/') == target)) continue;
            mounts.Add(new MountRequest { Type = "volume", Source = Compiler.AnonymousVolume(container, target), Target = target });
        }
        foreach (var m in mounts.Where(m => m.Type == "volume" && m.Source is { } n && n.StartsWith(container + "_anon-", StringComparison.Ordinal)))
            if (engine.Volumes.Find(m.Source!) is null)
                Guard(() => engine.Volumes.Create(m.Source!, null, new Dictionary<string, string>
                {
                    [VolumeRecord.AnonymousLabel] = "", [ManagedLabels.AnonymousOf] = container, [ManagedLabels.App] = app.App, [ManagedLabels.ComposeProject] = app.Project,
                }));
        req.HostConfig.Mounts = mounts;
    }
}
