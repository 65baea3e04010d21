using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// Level-based planning: compares desired with actual and lists what must change, in order — networks
/// first, then services in depends_on order, routers once their backends exist, removals last. A replica
/// whose spec hash matches is never touched, so an unchanged service costs nothing however often we plan.
/// </summary>
internal static class Planner
{
    /// <param name="rerunFailed">An explicit sync: one-off containers that failed are started again, as <c>docker compose up</c> does.</param>
    public static Plan Plan(DesiredApp desired, ActualApp actual, AppPolicy policy, bool rerunFailed = false)
    {
        var steps = new List<PlanStep>();
        var warnings = new List<string>(desired.Warnings);

        foreach (var n in desired.Networks.Where(n => !n.External && !actual.Networks.Contains(n.EngineName)))
            steps.Add(new CreateNetwork(n));
        foreach (var n in desired.Networks.Where(n => n.External && !actual.Networks.Contains(n.EngineName)))
            warnings.Add($"external network {n.EngineName} does not exist: create it first (gitops network create {n.EngineName})");

        foreach (var v in desired.Volumes.Where(v => !actual.Volumes.Contains(v.EngineName)))
        {
            if (!v.External) steps.Add(new CreateVolume(v));
            else warnings.Add($"external volume {v.EngineName} does not exist: create it first (gitops volume create {v.EngineName})");
        }
        foreach (var o in desired.Secrets)
        {
            var kind = o.IsConfig ? "config" : "secret";
            var found = actual.Objects.GetValueOrDefault((o.IsConfig, o.EngineName));
            if (o.External)
            {
                if (found is null) warnings.Add($"external {kind} {o.EngineName} does not exist: create it first (gitops {kind} create {o.EngineName} FILE)");
                continue;
            }
            if (found is not null && found.Digest == o.Digest) continue;
            if (o.Payload is null)
            {
                // A value that could not be read at load (a missing file, an unset variable): never replace a good one with nothing.
                warnings.Add($"{kind} {o.Key} has no value in this revision; {(found is null ? "services that use it cannot start" : "the engine's current version is kept")}");
                continue;
            }
            steps.Add(new EnsureObject(o, found is not null));
        }

        // A router that leaves and holds a host port a replica is about to bind itself (a service moving from a
        // router to publishing on its containers) must let go of it first; other routers go last, so a VIP keeps
        // answering for as long as possible.
        var desiredRouterNames = desired.Routers.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var directPorts = DirectHostPorts(desired);
        var leaving = actual.Routers.Where(r => !desiredRouterNames.Contains(r.Name)).ToList();
        var early = leaving.Where(r => r.HostPort is { } hp && directPorts.Contains((hp, r.Protocol))).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var r in leaving.Where(r => early.Contains(r.Name))) steps.Add(new RemoveRouter(r.Name));

        // One pass over actual state, then lookups: a plan over 10,000 services must not scan every container per service.
        var byService = actual.Containers.Where(c => c.Part is null).GroupBy(c => c.Service, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        // Jobs and CronJobs have no standing replicas: their pods are the job controller's (Jobs/JobRunner).
        foreach (var svc in DependencyOrder(desired.Services))
            if (!svc.Spec.RunsToCompletion && Rollout(desired, svc, byService.GetValueOrDefault(svc.Name) ?? [], rerunFailed) is { } step) steps.Add(step);

        var actualRouters = actual.Routers.ToDictionary(r => r.Name, StringComparer.Ordinal);
        foreach (var r in desired.Routers)
        {
            var exists = actualRouters.TryGetValue(r.Name, out var a);
            if (!exists || !RouterMatches(desired, r, a!)) steps.Add(new EnsureRouter(r, exists));
        }

        var desiredServices = desired.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in actual.Containers.Where(c => !desiredServices.Contains(c.Service)).GroupBy(c => c.Service).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (policy.Prune) steps.Add(new RemoveService(gone.Key, gone.ToList()));
            else warnings.Add($"service {gone.Key} is no longer in Git; it keeps running because prune is off");
        }
        foreach (var r in leaving.Where(r => !early.Contains(r.Name)))
            steps.Add(new RemoveRouter(r.Name));
        foreach (var n in actual.OwnedNetworks.Where(n => desired.Networks.All(d => d.EngineName != n)).Order(StringComparer.Ordinal))
        {
            if (policy.Prune) steps.Add(new RemoveNetwork(n));
            else warnings.Add($"network {n} is no longer in Git; kept because prune is off");
        }
        var desiredObjects = desired.Secrets.Select(o => (o.IsConfig, o.EngineName)).ToHashSet();
        foreach (var o in actual.Objects.Values.Where(o => o.Owned && !desiredObjects.Contains((o.IsConfig, o.Name))).OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            if (policy.Prune) steps.Add(new RemoveObject(o.Name, o.IsConfig));
            else warnings.Add($"{(o.IsConfig ? "config" : "secret")} {o.Name} is no longer in Git; kept because prune is off");
        }
        PlanVolumeRemovals(desired, actual, policy, steps, warnings);
        return new Plan(desired.Revision, steps, warnings);
    }

    /// <summary>The host ports (and protocols) the desired replicas bind themselves.</summary>
    static HashSet<(int Port, string Protocol)> DirectHostPorts(DesiredApp desired)
    {
        var ports = new HashSet<(int, string)>();
        foreach (var s in desired.Services)
            foreach (var p in Publishing.Direct(s.Spec))
                foreach (var hp in Publishing.HostPorts(s.Spec, p, s.Replicas))
                    ports.Add((hp, p.Protocol));
        return ports;
    }

    /// <summary>
    /// Data is never deleted by default: a volume that left Git is removed only when the application opted in
    /// (prune and prune-volumes), and the step says so in the plan. A StatefulSet's claims outlive scaling down,
    /// as in Kubernetes; a replica's scratch volume goes when no replica of that name is left.
    /// </summary>
    static void PlanVolumeRemovals(DesiredApp desired, ActualApp actual, AppPolicy policy, List<PlanStep> steps, List<string> warnings)
    {
        var wanted = desired.Volumes.Select(v => v.EngineName).ToHashSet(StringComparer.Ordinal);
        var services = desired.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var replicas = desired.Services.SelectMany(s => Enumerable.Range(s.FirstOrdinal, s.Replicas).Select(o => s.ReplicaName(desired.Project, o)))
            .Concat(actual.Containers.Select(c => c.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var v in actual.OwnedVolumes.Where(v => !wanted.Contains(v.Name)).OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            if (v.ScratchOf is { } replica)
            {
                if (!replicas.Contains(replica)) steps.Add(new RemoveVolume(v.Name, Scratch: true));
                continue;
            }
            if (v.AnonymousOf is { } of)
            {
                // A replica's anonymous data: kept while the replica exists or may come back; removed with the replica only under prune-volumes.
                if (!replicas.Contains(of) && policy.Prune && policy.PruneVolumes) steps.Add(new RemoveVolume(v.Name));
                continue;
            }
            if (v.ClaimOf is { } owner && services.Contains(owner)) continue; // scaled down: the claim waits for the replica to come back
            if (policy.Prune && policy.PruneVolumes) steps.Add(new RemoveVolume(v.Name));
            else warnings.Add($"volume {v.Name} is no longer in Git; kept with its data (volumes are only removed with prune-volumes)");
        }
    }

    static RolloutService? Rollout(DesiredApp app, DesiredService svc, List<ActualContainer> mine, bool rerunFailed)
    {
        var byName = new Dictionary<string, ActualContainer>(StringComparer.Ordinal);
        foreach (var c in mine) byName.TryAdd(c.Name, c);
        var desiredOrdinals = Enumerable.Range(svc.FirstOrdinal, svc.Replicas).ToList();
        var create = new List<int>();
        var start = new List<int>();
        var replace = new List<int>();
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var image = svc.Spec.Template.Containers.FirstOrDefault()?.Image;
        foreach (var o in desiredOrdinals)
        {
            var slot = byName.GetValueOrDefault(svc.ReplicaName(app.Project, o));
            if (slot is null) { create.Add(o); continue; }
            keep.Add(slot.Id);
            if (slot.Hash != svc.Hash || (image is not null && slot.Image != image) || !EnvMatches(svc, slot)) replace.Add(o);
            else if (!slot.Running && !Completed(svc, slot) && (rerunFailed || !FailedOneOff(svc, slot))) start.Add(o);
        }
        var remove = mine.Where(c => !keep.Contains(c.Id)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        if (create.Count + start.Count + replace.Count + remove.Count == 0) return null;
        var strategy = svc.Update.Kind == UpdateKind.Rolling
            ? Describe(svc.Update, svc.Replicas)
            : "recreate";
        return new RolloutService(svc, create, start, replace, remove, strategy);
    }

    static string Describe(UpdateStrategy u, int replicas)
    {
        var (surge, unavailable) = u.Resolve(replicas);
        return surge > 0 ? $"rolling, start-first, {surge} at a time" : $"rolling, stop-first, {unavailable} at a time";
    }

    /// <summary>
    /// Literal environment written in Git must be in the container as written; the image's own variables
    /// and those the engine adds (PATH, HOSTNAME) may be there too, so this is a subset test, not equality —
    /// comparing whole lists is what gives other tools their false drift.
    /// </summary>
    static bool EnvMatches(DesiredService svc, ActualContainer c) => !MissingEnv(svc, c).Any();

    /// <summary>
    /// Names of literal variables from Git that the container lacks (names only: a value may be secret). A
    /// Kubernetes container's are compared as the kubelet makes them: $(VAR) expanded, the pod's fields filled in.
    /// </summary>
    public static IEnumerable<string> MissingEnv(DesiredService svc, ActualContainer c)
    {
        var env = c.Env.ToHashSet(StringComparer.Ordinal);
        if (svc.Spec.Template.Containers.FirstOrDefault() is not { } first) return [];
        var expected = svc.Spec.Format == SourceFormat.Kubernetes
            ? Kubernetes.EnvExpansion.KnownEnv(first, new Kubernetes.EnvExpansion.Pod(c.Name, Compiler.Namespace(svc.Spec), svc.Spec.Template))
            : first.Env.Where(e => e.Value is not null).Select(e => $"{e.Name}={e.Value}");
        return expected.Where(e => !env.Contains(e)).Select(e => e[..e.IndexOf('=', StringComparison.Ordinal)]).ToList();
    }

    /// <summary>
    /// A container whose own restart policy let it end successfully — restart "no" (a Compose one-off, a stack's
    /// condition: none, a bare Pod with restartPolicy Never) or on-failure — is done: neither a poll, nor self-heal,
    /// nor a daemon restart starts it again. One a user stopped by hand is drift, whatever its exit code.
    /// </summary>
    public static bool Completed(DesiredService svc, ActualContainer c) =>
        svc.Spec.Template.Restart.Condition is RestartCondition.No or RestartCondition.OnFailure && c.Status == "exited" && c.ExitCode == 0 && !c.StoppedByUser;

    /// <summary>
    /// A restart "no" container that ended by itself with another code: reported (health Degraded, "exited (1)"),
    /// not restarted behind the user's back — its policy says no restarts — but run again by an explicit
    /// <c>gitops sync</c> (as <c>docker compose up</c> would) or a changed spec.
    /// </summary>
    public static bool FailedOneOff(DesiredService svc, ActualContainer c) =>
        svc.Spec.Template.Restart.Condition == RestartCondition.No && c.Status is "exited" or "dead" && c.ExitCode != 0 && !c.StoppedByUser;

    static bool RouterMatches(DesiredApp app, DesiredRouter r, Ports.RouterView a) =>
        a.Port == r.Port && a.Protocol == r.Protocol && HostPortMatches(r, a.HostPort) &&
        a.Backends.Select(b => (b.Container, b.Port)).ToHashSet().SetEquals(ExpectedBackends(app, r));

    /// <summary>0 asks for any host port (a NodePort without nodePort): whatever the router has will do; otherwise exactly the one asked, or none.</summary>
    public static bool HostPortMatches(DesiredRouter r, int? actual) => r.HostPort is 0 || actual == r.HostPort;

    public static IEnumerable<(string Container, int Port)> ExpectedBackends(DesiredApp app, DesiredRouter r) =>
        r.Backends.SelectMany(b => app.Service(b.Service) is { } s
            ? Enumerable.Range(s.FirstOrdinal, s.Replicas).Select(o => (s.ReplicaName(app.Project, o), b.TargetPort))
            : []);

    /// <summary>Services after the ones they depend on (Kahn's algorithm, ties by name; cycles were rejected at load).</summary>
    public static IReadOnlyList<DesiredService> DependencyOrder(IReadOnlyList<DesiredService> services)
    {
        var byName = new Dictionary<string, DesiredService>(StringComparer.Ordinal);
        foreach (var s in services) byName.TryAdd(s.Name, s);
        var waiting = new Dictionary<string, int>(StringComparer.Ordinal);
        var dependents = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var ready = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var s in byName.Values)
        {
            var deps = s.DependsOn.Select(d => d.Service).Where(d => d != s.Name && byName.ContainsKey(d)).Distinct(StringComparer.Ordinal).ToList();
            waiting[s.Name] = deps.Count;
            foreach (var d in deps) (dependents.TryGetValue(d, out var l) ? l : dependents[d] = []).Add(s.Name);
            if (deps.Count == 0) ready.Add(s.Name);
        }
        var result = new List<DesiredService>(byName.Count);
        while (ready.Count > 0)
        {
            var next = ready.Min!;
            ready.Remove(next);
            result.Add(byName[next]);
            foreach (var d in dependents.GetValueOrDefault(next) ?? [])
                if (--waiting[d] == 0) ready.Add(d);
        }
        // A cycle cannot pass validation; should one get here, its services still run, by name.
        if (result.Count < byName.Count)
            result.AddRange(byName.Values.Where(s => waiting[s.Name] > 0).OrderBy(s => s.Name, StringComparer.Ordinal));
        return result;
    }
}
