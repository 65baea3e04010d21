using System.Diagnostics;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Ports;

namespace GitOps.Reconciler.Reconcile;

/// <summary>A step that could not be carried out; the plan stops there and the next reconcile picks up from actual state.</summary>
internal sealed class ApplyException(string step, string message, Exception? inner = null) : Exception($"{step}: {message}", inner)
{
    public string Step { get; } = step;

    /// <summary>
    /// The revision itself does not work: a new replica exited, turned unhealthy or never became ready. Trying the
    /// same revision again only repeats that (Swarm pauses such an update), so only a new commit or a sync asked
    /// for by the user tries again; other failures (the engine, a pull, a port taken) may pass and are retried.
    /// </summary>
    public bool Stalled { get; init; }
}

/// <summary>
/// Carries out a plan on the engine, one step at a time, recording progress in the journal. Every step is
/// idempotent and names are deterministic (one name per replica slot), so a daemon killed in the middle
/// re-plans from what actually exists and can neither duplicate nor orphan a replica.
/// </summary>
internal sealed partial class Executor(IEnginePort engine, Journal journal, AppLog log)
{
    public static readonly ActivitySource Source = new("GitOps.Reconciler");

    /// <summary>How long a new replica may take to become ready when it has no health check of its own.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The application's job controller, which carries out <see cref="Jobs.StartJob"/> steps.</summary>
    public Jobs.JobRunner? Jobs { get; init; }

    /// <summary>Images built or pulled during this apply: each at most once however many services use it.</summary>
    readonly HashSet<string> _prepared = new(StringComparer.Ordinal);

    public async Task ApplyAsync(DesiredApp app, Plan plan, CancellationToken ct)
    {
        _prepared.Clear();
        PortPreflight.Check(engine, app, plan);
        journal.Begin(app.Revision, plan.Steps.Select(s => s.Describe()).ToList());
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            using var activity = Source.StartActivity("apply " + step.Kind);
            activity?.SetTag("gitops.app", app.App);
            activity?.SetTag("gitops.revision", app.Revision);
            activity?.SetTag("gitops.step", step.Describe());
            log.Write(LogEvents.ApplyStep, step.Describe());
            try
            {
                await RunAsync(app, step, ct);
            }
            catch (Exception e) when (e is EngineFailure or ApplyException or IOException or TimeoutException)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                throw e as ApplyException ?? new ApplyException(step.Describe(), e.Message, e);
            }
            journal.Done(i);
        }
        journal.Complete();
    }

    Task RunAsync(DesiredApp app, PlanStep step, CancellationToken ct) => step switch
    {
        CreateNetwork n => Do(() => engine.CreateNetwork(new NetworkSpec(n.Network.EngineName, n.Network.Subnet, n.Network.Gateway, n.Network.Internal,
            new Dictionary<string, string> { [ManagedLabels.App] = app.App, [ManagedLabels.ComposeProject] = app.Project, [ManagedLabels.Resource] = n.Network.Key }))),
        RemoveNetwork n => Do(() => engine.RemoveNetwork(n.Name)),
        CreateVolume v => Do(() => CreateVolume(app, v.Volume)),
        RemoveVolume v => Do(() => engine.RemoveVolume(v.Name)),
        EnsureObject o => Do(() => EnsureObject(app, o.Object)),
        RemoveObject o => Do(() => engine.RemoveObject(o.IsConfig, o.Name)),
        RolloutService r => RolloutAsync(app, r, ct),
        RemoveService r => RemoveAllAsync(app, r.Containers, ct),
        EnsureRouter r => Do(() => EnsureRouter(app, r.Router)),
        RemoveRouter r => Do(() => engine.RemoveRouter(r.Name)),
        Jobs.StartJob j => (Jobs ?? throw new ApplyException(step.Describe(), "no job controller")).StartAsync(app, j, ct),
        _ => throw new ApplyException(step.Describe(), "unknown step"),
    };

    static Task Do(Action a) { a(); return Task.CompletedTask; }

    void CreateVolume(DesiredApp app, DesiredVolume v)
    {
        var labels = new Dictionary<string, string>(v.Labels, StringComparer.Ordinal) { [ManagedLabels.ComposeVolume] = v.Key, [ManagedLabels.Resource] = v.Key };
        if (v.Service is { } owner) labels[ManagedLabels.ClaimOf] = owner;
        EnsureVolume(app, v.EngineName, labels, v.Driver, v.Options);
    }

    /// <summary>Creates a volume of the application unless one of that name exists (declared, claim, scratch or anonymous).</summary>
    void EnsureVolume(DesiredApp app, string name, Dictionary<string, string> labels, string? driver = null, IReadOnlyDictionary<string, string>? options = null)
    {
        if (engine.Volumes().Any(v => v.Name == name)) return;
        labels[ManagedLabels.App] = app.App;
        labels[ManagedLabels.ComposeProject] = app.Project;
        engine.CreateVolume(new VolumeSpec(name, driver, labels, options));
    }

    /// <summary>Stores the content from Git; the engine keeps the value encrypted and versions it. Only the digest goes on the label.</summary>
    void EnsureObject(DesiredApp app, DesiredSecret o)
    {
        var payload = o.Payload ?? throw new ApplyException($"{(o.IsConfig ? "config" : "secret")} {o.Key}", "it has no value in this revision");
        var labels = new Dictionary<string, string>
        {
            [ManagedLabels.App] = app.App, [ManagedLabels.ComposeProject] = app.Project, [ManagedLabels.Resource] = o.Key, [ManagedLabels.Digest] = o.Digest ?? "",
        };
        engine.EnsureObject(new ObjectSpec(o.EngineName, o.IsConfig, labels, payload));
    }

    /// <summary>
    /// The images a service needs, before any of its replicas is touched: built from the revision's tree when
    /// the service has a build section (the layer cache makes an unchanged build almost free), pulled when
    /// missing (or always, when the manifest says so), never pulled under "never". A failure stops the
    /// rollout before the running replicas are replaced.
    /// </summary>
    internal async Task EnsureImagesAsync(DesiredApp app, DesiredService svc, CancellationToken ct)
    {
        foreach (var c in svc.Spec.Template.Containers.Concat(svc.Spec.Template.InitContainers))
        {
            if (!_prepared.Add(c.Image)) continue;
            if (c.Build is { } build && app.BaseDirectory is not null)
            {
                var context = Path.GetFullPath(Path.Combine(app.BaseDirectory, build.Context));
                log.Write(LogEvents.ImageBuild, $"building {c.Image} from {Path.GetRelativePath(app.BaseDirectory, context)}");
                await engine.BuildImageAsync(new ImageBuildSpec(context, build.Dockerfile ?? "Dockerfile", build.Target, c.Image,
                    build.Args, new Dictionary<string, string> { [ManagedLabels.App] = app.App }), ct);
                continue;
            }
            if (c.Pull == PullPolicy.Never) continue;
            if (c.Pull != PullPolicy.Always && engine.HasImage(c.Image)) continue;
            log.Write(LogEvents.ImagePull, $"pulling {c.Image}");
            try { await engine.PullImageAsync(c.Image, c.Platform, ct); }
            catch (EngineFailure e) when (c.Pull == PullPolicy.Always && engine.HasImage(c.Image))
            {
                // "Always" asks for the newest image, not for an outage to stop a rollout: the local copy serves.
                log.Write(LogEvents.ImagePullFailed, $"pulling {c.Image} failed ({e.Message}); using the local image");
            }
        }
    }

    async Task RolloutAsync(DesiredApp app, RolloutService r, CancellationToken ct)
    {
        var svc = r.Service;
        if (r.Create.Count + r.Replace.Count > 0) await EnsureImagesAsync(app, svc, ct);
        // Stopped replicas of the right spec just start again (self-heal, or a daemon restart in between).
        foreach (var o in r.Start)
        {
            if (svc.Spec.Template.InitContainers.Count > 0) await StartPodAsync(app, svc, o, ct); // init containers run again, as in a restarted pod
            else foreach (var c in PartsOf(app, svc, o)) await engine.StartContainerAsync(c, ct);
            await WaitReadyAsync(svc, svc.ReplicaName(app.Project, o), ct);
        }
        // Surplus goes first when scaling down, so a shrink never needs room for more.
        await RemoveAllAsync(app, r.Remove, ct);
        foreach (var batch in Batches(r.Create, Math.Max(1, r.Create.Count)))
            await StartReplicasAsync(app, svc, batch, ct);

        if (r.Replace.Count == 0) { RefreshRouters(app, svc.Name); return; }
        if (svc.Update.Kind != UpdateKind.Rolling)
        {
            // Recreate (plain Compose, Kubernetes Recreate): all old ones stop before any new one starts.
            await Task.WhenAll(r.Replace.Select(o => RemoveReplicaAsync(app, svc, o, ct)));
            await StartReplicasAsync(app, svc, r.Replace, ct);
            RefreshRouters(app, svc.Name);
            return;
        }
        var (surge, unavailable) = svc.Update.Resolve(svc.Replicas);
        var first = true;
        foreach (var batch in Batches(r.Replace, surge > 0 ? surge : Math.Max(1, unavailable)))
        {
            if (!first && svc.Update.Delay > TimeSpan.Zero) await Task.Delay(svc.Update.Delay, ct);
            first = false;
            if (surge > 0)
            {
                // Start-first: the old replica steps aside under another name, keeps serving until the new
                // one is ready, then leaves. A crash in between leaves an "-old-" container the next plan removes.
                var old = new List<(string Id, string Name)>();
                foreach (var o in batch)
                {
                    var name = svc.ReplicaName(app.Project, o);
                    if (engine.FindContainer(name) is { } c)
                    {
                        var aside = $"{name}-old-{c.Id[..8]}";
                        engine.RenameContainer(c.Id, aside);
                        old.Add((c.Id, name));
                    }
                }
                // What else carries the replicas' names now (sidecars of the old ones) is not ours to remove on failure.
                var kept = batch.SelectMany(o => PartsOf(app, svc, o)).ToHashSet(StringComparer.Ordinal);
                try { await StartReplicasAsync(app, svc, batch, ct); }
                catch (Exception e) when (e is ApplyException or EngineFailure or IOException or OperationCanceledException)
                {
                    // The new replica could not start or never became ready: it goes, and the old one takes its
                    // name (and its router slot) back, so a failed rollout leaves the service as it was, as
                    // Kubernetes does. Whatever failed (a start refused by the engine, the daemon stopping), the
                    // old replica must not be left aside: the next plan would see it as surplus and remove it.
                    await RestoreAsync(app, svc, batch, old, kept);
                    throw;
                }
                RefreshRouters(app, svc.Name);
                await Task.WhenAll(old.Select(o => RemoveContainerAsync(o.Id, svc.StopGrace, ct)));
            }
            else
            {
                await Task.WhenAll(batch.Select(o => RemoveReplicaAsync(app, svc, o, ct)));
                await StartReplicasAsync(app, svc, batch, ct);
            }
            RefreshRouters(app, svc.Name);
        }
    }

    /// <summary>
    /// Undoes a start-first batch: removes what was started under the replicas' names (sidecars too) and gives
    /// the old replicas their names back. Not cancellable: stopping half-way is what leaves a service broken.
    /// </summary>
    async Task RestoreAsync(DesiredApp app, DesiredService svc, IReadOnlyList<int> batch, List<(string Id, string Name)> old, IReadOnlySet<string> kept)
    {
        foreach (var o in batch)
            foreach (var id in PartsOf(app, svc, o).Where(id => !kept.Contains(id)).Reverse())
                await RemoveContainerAsync(id, svc.StopGrace, CancellationToken.None);
        foreach (var (id, name) in old) engine.RenameContainer(id, name);
        RefreshRouters(app, svc.Name);
    }

    static IEnumerable<IReadOnlyList<int>> Batches(IReadOnlyList<int> items, int size)
    {
        for (var i = 0; i < items.Count; i += size) yield return items.Skip(i).Take(size).ToList();
    }

    /// <summary>The replica's containers, main first: sidecars are named after it and carry the part label.</summary>
    IEnumerable<string> PartsOf(DesiredApp app, DesiredService svc, int ordinal)
    {
        var main = svc.ReplicaName(app.Project, ordinal);
        return engine.FindContainer(main) is { } m ? [m.Id, .. SidecarsOf(main, app.App)] : SidecarsOf(main, app.App);
    }

    List<string> SidecarsOf(string main, string app) =>
        engine.Containers().Where(c => c.Name.StartsWith(main + "-", StringComparison.Ordinal) &&
            c.Labels.ContainsKey(ManagedLabels.Part) && c.Labels.GetValueOrDefault(ManagedLabels.App) == app)
            .Select(c => c.Id).ToList();

    async Task StartReplicasAsync(DesiredApp app, DesiredService svc, IReadOnlyList<int> ordinals, CancellationToken ct)
    {
        foreach (var o in ordinals) await CreateReplicaAsync(app, svc, o, ct);
        foreach (var o in ordinals) await WaitReadyAsync(svc, svc.ReplicaName(app.Project, o), ct);
    }

    /// <summary>Creates and starts replica <paramref name="o"/>'s containers without waiting for it to be ready (a Job's pods are made this way too).</summary>
    internal async Task CreateReplicaAsync(DesiredApp app, DesiredService svc, int o, CancellationToken ct)
    {
        foreach (var scratch in Compiler.ScratchVolumes(app, svc, o))
            EnsureVolume(app, scratch, new() { [ManagedLabels.Ephemeral] = svc.ReplicaName(app.Project, o) });
        // Init containers and native sidecars need the pod's start sequence (each init container to completion, sidecars ready).
        if (svc.Spec.Template.InitContainers.Count > 0) { await StartPodAsync(app, svc, o, ct); return; }
        foreach (var spec in Compiler.Replica(app, svc, o))
        {
            // A container of this name may exist from an interrupted run: same spec → reuse, else replace.
            if (engine.FindContainer(spec.Name) is { } existing)
            {
                if (existing.Labels.GetValueOrDefault(ManagedLabels.SpecHash) == svc.Hash) { if (!existing.Running) await engine.StartContainerAsync(existing.Id, ct); continue; }
                await RemoveContainerAsync(existing.Id, svc.StopGrace, ct);
            }
            var created = engine.CreateContainer(spec);
            try { await engine.StartContainerAsync(created, ct); }
            catch (EngineFailure) { await engine.RemoveContainerAsync(created, ct); throw; }
        }
    }

    /// <summary>
    /// Ready means running and, where the service has a health check, healthy — the gate of a rolling
    /// update and of depends_on: service_healthy. Exiting, or turning unhealthy, fails the step.
    /// </summary>
    async Task WaitReadyAsync(DesiredService svc, string name, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var probe = svc.Spec.Template.Containers.FirstOrDefault()?.Health;
        var limit = probe is null ? StartTimeout
            : StartTimeout + probe.StartPeriod + probe.InitialDelay + (probe.Interval + probe.Timeout) * Math.Max(1, probe.FailureThreshold);
        var runningSince = (Stopwatch?)null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var s = engine.FindContainer(name) ?? throw new ApplyException($"service {svc.Name}", $"replica {name} disappeared while starting");
            if (!s.Running)
            {
                // A one-off (restart "no", or on-failure) that ran to success is ready: it is done.
                if (svc.Spec.Template.Restart.Condition is RestartCondition.No or RestartCondition.OnFailure && s.Status == "exited" && s.ExitCode == 0) return;
                if (s.Status is "exited" or "dead" && !s.Restarting)
                    throw new ApplyException($"service {svc.Name}", $"replica {name} exited with code {s.ExitCode} while starting (see gitops logs {name})") { Stalled = true };
                runningSince = null;
            }
            else
            {
                runningSince ??= Stopwatch.StartNew();
                var healthy = !svc.HasHealthCheck || s.Health is null || s.Health == "healthy";
                if (s.Health == "unhealthy")
                    throw new ApplyException($"service {svc.Name}", $"replica {name} is unhealthy: {s.HealthOutput}") { Stalled = true };
                var monitor = svc.Update.Kind == UpdateKind.Rolling ? svc.Update.MinReady : TimeSpan.Zero;
                if (healthy && runningSince.Elapsed >= monitor) return;
            }
            if (deadline.Elapsed > limit) throw new ApplyException($"service {svc.Name}", $"replica {name} was not ready within {limit.TotalSeconds:0} s") { Stalled = true };
            await Task.Delay(50, ct);
        }
    }

    async Task RemoveReplicaAsync(DesiredApp app, DesiredService svc, int ordinal, CancellationToken ct)
    {
        foreach (var id in StopOrder(svc.ReplicaName(app.Project, ordinal), app.App)) await RemoveContainerAsync(id, svc.StopGrace, ct);
        RemoveScratch(app.App, svc.ReplicaName(app.Project, ordinal));
    }

    /// <summary>A replica's emptyDir volumes go with it (a replaced replica starts with empty scratch space, as a new pod does).</summary>
    void RemoveScratch(string app, string replica)
    {
        foreach (var v in engine.Volumes().Where(v => v.Labels.GetValueOrDefault(ManagedLabels.Ephemeral) == replica && v.Labels.GetValueOrDefault(ManagedLabels.App) == app))
            try { engine.RemoveVolume(v.Name); } catch (EngineFailure) { /* still in use by a leftover container: the next plan removes it */ }
    }

    async Task RemoveAllAsync(DesiredApp app, IReadOnlyList<ActualContainer> containers, CancellationToken ct)
    {
        // In parallel, as compose down does: each may wait its stop grace period.
        await Task.WhenAll(containers.Where(c => c.Part is null).Select(async c =>
        {
            // The replica's other containers go with it, in the order a pod stops.
            foreach (var id in StopOrder(c.Name, app.App)) await RemoveContainerAsync(id, null, ct);
            await RemoveContainerAsync(c.Id, null, ct);
            RemoveScratch(app.App, c.Name);
        }));
        // Parts whose replica's first container was already gone.
        foreach (var c in containers.Where(c => c.Part is not null)) await RemoveContainerAsync(c.Id, null, ct);
        foreach (var svc in containers.Select(c => c.Service).Distinct()) RefreshRouters(app, svc);
    }

    Task RemoveContainerAsync(string id, TimeSpan? grace, CancellationToken ct) => StopAndRemoveAsync(engine, id, grace, ct);

    /// <summary>Stop (SIGTERM, then SIGKILL after the grace period or the container's own timeout) and remove; gone already is fine.</summary>
    public static async Task StopAndRemoveAsync(IEnginePort engine, string id, TimeSpan? grace, CancellationToken ct)
    {
        try
        {
            if (engine.FindContainer(id) is not { } c) return;
            if (c.Running) await engine.StopContainerAsync(id, grace is { } g ? (int)Math.Ceiling(g.TotalSeconds) : null, ct);
            await engine.RemoveContainerAsync(id, ct);
        }
        catch (EngineFailure e) when (e.NotFound) { }
    }

    void EnsureRouter(DesiredApp app, DesiredRouter r)
    {
        var backends = Backends(app, r);
        if (engine.Routers().FirstOrDefault(x => x.Name == r.Name) is { } existing)
        {
            if (existing.Port == r.Port && existing.Protocol == r.Protocol && Planner.HostPortMatches(r, existing.HostPort))
            {
                engine.SetRouterBackends(r.Name, backends);
                return;
            }
            engine.RemoveRouter(r.Name);
        }
        engine.CreateRouter(new RouterSpec(r.Name, r.Network, r.Port, r.Protocol, r.HostPort is 0 ? null : r.HostPort, backends,
            new Dictionary<string, string> { [ManagedLabels.App] = app.App, [ManagedLabels.Service] = r.DnsName, [ManagedLabels.ComposeProject] = app.Project }));
    }

    /// <summary>Backends are the replicas that exist and run now; a stopped or starting one is marked unready.</summary>
    List<RouterBackend> Backends(DesiredApp app, DesiredRouter r) =>
        Planner.ExpectedBackends(app, r)
            .Select(b => (b.Container, b.Port, Found: engine.FindContainer(b.Container)))
            .Where(b => b.Found is not null)
            .Select(b => new RouterBackend(b.Container, b.Port, 1, b.Found!.Running && b.Found.Health is null or "healthy"))
            .ToList();

    void RefreshRouters(DesiredApp app, string service)
    {
        foreach (var r in app.Routers.Where(r => r.Backends.Any(b => b.Service == service)))
            if (engine.Routers().Any(x => x.Name == r.Name)) engine.SetRouterBackends(r.Name, Backends(app, r));
    }
}
