using System.Globalization;
using System.Text;
using GitOps.Bench.Manifests;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Reconcile.Caching;
using GitOps.Reconciler.Rendering;
using GitOps.Reconciler.Sources;
using GitOps.Runtime.Networking;

namespace GitOps.Bench;

/// <summary>
/// In process, under the JIT, no engine: fetch, load + validate, compile and plan for generated Compose apps of
/// 1,000 and 10,000 services (2 replicas each), nothing changed and one service changed, planned against an engine
/// state that matches. A poll is timed twice in the same run: as it was before the revision cache (every poll loads
/// and compiles) and through <see cref="RevisionCache{T}"/> as the reconciler uses it (a hit: key, input check, plan).
/// </summary>
internal sealed class GitOpsPlanBench(string dir)
{
    readonly CultureInfo _inv = CultureInfo.InvariantCulture;

    sealed record Sizes(int Services, List<(string Stage, Measure.Series Series)> Rows);

    public async Task RunAsync()
    {
        var results = new List<Sizes>();
        // The 1,000-service run warms the JIT for the 10,000-service one, which gets no warm-up of its own (each run takes seconds).
        foreach (var n in new[] { 1000, 10000 }) results.Add(await PlanAsync(n, n >= 10000 ? 3 : 5, n >= 10000 ? 0 : 1));

        Console.WriteLine("\n## diff and plan in process (the reconciler under the JIT, no engine): generated Compose app (every service 2 replicas, 1 in 3 published through a router), p50 ms");
        Console.WriteLine($"{"",-52} {"1,000 svcs",11} {"10,000 svcs",12} {"10k/1k",7}");
        for (var i = 0; i < results[0].Rows.Count; i++)
        {
            var (stage, a) = results[0].Rows[i];
            var b = results[1].Rows[i].Series;
            Console.WriteLine(string.Create(_inv, $"{stage,-52} {a.P50,11:0.0} {b.P50,12:0.0} {b.P50 / a.P50,6:0.0}x"));
        }
        Console.WriteLine("(totals are sums of the p50s; the daemon also reads the engine's containers once per plan, which is not in these figures)");
        Console.WriteLine("(uncached: as before the revision cache, or with GITOPS_REVISION_CACHE=0 in the daemon's environment)");
    }

    async Task<Sizes> PlanAsync(int services, int reps, int warmup)
    {
        var project = $"p{services}";
        var git = new BenchRepo(Path.Combine(dir, $"plan-{services}"));
        var text = Generated.Compose(services, stack: false);
        var v1 = git.Commit(("compose.yaml", text));
        var cache = new GitSourceCache(Path.Combine(dir, $"cache-{services}"));
        var source = new AppSource(SourceKind.Git, git.Dir, "main", null, null, null);
        var spec = new AppSpec(project, source, [], AppSchedule.Default, new AppPolicy(Prune: true, PruneVolumes: false, SelfHeal: false, DriftMode.Report), null);
        long cycle = 0;
        await cache.ResolveAsync(source, ++cycle); // the first clone is not what a steady loop pays
        var fetchNone = await Measure.RepeatAsync("fetch", warmup, reps, () => cache.ResolveAsync(source, ++cycle));
        var tree = cache.Materialize(source, v1);

        LoadResult? loaded = null;
        var load = Measure.Repeat("load", warmup, reps, () => loaded = Load(tree, project));
        DesiredApp? desired = null;
        var compile = Measure.Repeat("compile", warmup, reps, () => desired = Compiler.Compile(project, project, v1, loaded!.Application!));
        var actual = Converged(desired!);
        var policy = new AppPolicy(Prune: true, PruneVolumes: false, SelfHeal: false, DriftMode.Report);
        Plan? plan = null;
        var planNone = Measure.Repeat("plan", warmup, reps, () => plan = Planner.Plan(desired!, actual, policy));
        if (!plan!.IsEmpty) throw new InvalidOperationException($"{services} services, nothing changed, yet the plan has {plan.Steps.Count} step(s): {plan.Steps[0].Describe()}");

        // A poll through the revision cache, as AppController takes it: fetch, the key of revision + definition + policy,
        // the inputs' stamps checked. An application that only reports drift stops there (AppController.NothingNew);
        // under self-heal the poll also plans against the cached desired state.
        var revisions = new RevisionCache<DesiredApp>();
        revisions.Put(RevisionKey.Of(v1, spec, null, forApply: true), desired!, RevisionInputs.Of(loaded!, desired, tree), DateTime.UtcNow.AddHours(-1));
        DesiredApp CachedHead(string commit) =>
            revisions.TryGet(RevisionKey.Of(commit, spec, null, forApply: true)) ?? throw new InvalidOperationException("the revision cache missed an unchanged revision");
        var cachedPoll = await Measure.RepeatAsync("poll, cached", warmup, reps, async () => CachedHead((await cache.ResolveAsync(source, ++cycle)).Commit));
        var cachedHeal = await Measure.RepeatAsync("poll, cached, planned", warmup, reps, async () =>
            plan = Planner.Plan(CachedHead((await cache.ResolveAsync(source, ++cycle)).Commit), actual, policy));
        if (!plan!.IsEmpty) throw new InvalidOperationException("a cached poll planned steps");

        // One service's environment changed, one new commit per run: fetch + checkout of the new tree.
        var changed = $"svc{services / 2}";
        var marker = $"  {changed}:\n    image: \"registry.local/team/{changed}:1.{services / 2 % 10}\"\n    environment:\n      MODE: production\n";
        if (!text.Contains(marker, StringComparison.Ordinal)) throw new InvalidOperationException("the generated app changed shape: update the marker");
        var k = 0;
        string? v2 = null, tree2 = null;
        var fetchOne = await Measure.RepeatAsync("fetch+checkout", warmup, reps, async () =>
        {
            var rev = git.Commit(("compose.yaml", text.Replace(marker, marker.Replace("production", $"staging-{k++}", StringComparison.Ordinal), StringComparison.Ordinal)));
            var head = await cache.ResolveAsync(source, ++cycle);
            if (head.Commit != rev) throw new InvalidOperationException($"fetched {head.Commit}, committed {rev}");
            v2 = rev;
            tree2 = cache.Materialize(source, rev);
        });
        var loaded2 = Load(tree2!, project);
        var desired2 = Compiler.Compile(project, project, v2!, loaded2.Application!);
        var planOne = Measure.Repeat("plan", warmup, reps, () => plan = Planner.Plan(desired2, actual, policy));
        if (plan!.Steps.Count != 1 || plan.Steps[0].Target != changed)
            throw new InvalidOperationException($"{services} services, one changed, yet the plan is: {string.Join("; ", plan.Steps.Take(3).Select(s => s.Describe()))}");
        var diffText = Measure.Repeat("diff", warmup, reps, () => UnifiedDiff(loaded!.Application!, loaded2.Application!));

        Console.WriteLine(string.Create(_inv, $"{services} services: {desired!.Services.Sum(s => s.Replicas)} replicas, {desired.Routers.Count} routers, compose.yaml {text.Length / 1024} KiB; one changed: {plan.Steps[0].Describe()}"));
        return new Sizes(services,
        [
            ("fetch, nothing new", fetchNone),
            ("fetch + checkout of a new commit", fetchOne),
            ("load + validate", load),
            ("compile", compile),
            ("plan, nothing changed (0 steps)", planNone),
            ("plan, one changed (1 step)", planOne),
            ("diff text of the two revisions (gitops diff)", diffText),
            ("total, nothing changed (a poll), uncached", Sum("", fetchNone, load, compile, planNone)),
            ("poll, nothing new, revision cache (measured)", cachedPoll),
            ("the same under self-heal: + plan (measured)", cachedHeal),
            ("total, one changed (fetch to plan)", Sum("", fetchOne, load, compile, planOne)),
        ]);
    }

    /// <summary>A series whose p50 is the sum of the p50s of <paramref name="parts"/> (stages run one after another).</summary>
    static Measure.Series Sum(string name, params Measure.Series[] parts) => new(name, [parts.Sum(p => p.P50)]);

    /// <summary>As AppController loads a revision: the app's paths in the tree, the app's project name.</summary>
    static LoadResult Load(string tree, string project)
    {
        var r = ManifestLoader.Load([Path.GetFullPath(Path.Combine(tree, "."))], new LoadOptions { Name = project, Format = ManifestFormat.Auto });
        return r.Succeeded ? r : throw new InvalidOperationException(string.Join("\n", r.Diagnostics.Take(5)));
    }

    /// <summary>The text of <c>gitops diff</c>, as AppController.UnifiedDiff builds it: each service rendered on both sides, changed ones diffed.</summary>
    static string UnifiedDiff(GitOps.Reconciler.Model.Application before, GitOps.Reconciler.Model.Application after)
    {
        var sb = new StringBuilder();
        foreach (var name in after.Services.Keys.Union(before.Services.Keys).Order(StringComparer.Ordinal))
        {
            var a = before.Services.TryGetValue(name, out var x) ? YamlOutput.Write(DesiredStateWriter.Service(x, withHashes: false)) : "";
            var b = after.Services.TryGetValue(name, out var y) ? YamlOutput.Write(DesiredStateWriter.Service(y, withHashes: false)) : "";
            if (a != b) sb.Append(TextDiff.Unified($"a/services/{name}", $"b/services/{name}", a, b));
        }
        return sb.ToString();
    }

    /// <summary>
    /// What the engine reports once <paramref name="desired"/> is applied: every replica running with its spec
    /// hash, image and literal environment, every network, every router with its backends. The one place that
    /// builds an <see cref="ActualApp"/> by hand: when the record gains fields, fix them here.
    /// </summary>
    static ActualApp Converged(DesiredApp desired)
    {
        var created = DateTimeOffset.UtcNow;
        var containers = new List<ActualContainer>();
        foreach (var s in desired.Services)
        {
            var main = s.Spec.Template.Containers.FirstOrDefault();
            var env = main?.Env.Where(e => e.Value is not null).Select(e => $"{e.Name}={e.Value}").ToList() ?? [];
            for (var o = s.FirstOrdinal; o < s.FirstOrdinal + s.Replicas; o++)
            {
                var name = s.ReplicaName(desired.Project, o);
                containers.Add(new ActualContainer(
                    Id: "id-" + name, Name: name, Service: s.Name, Ordinal: o, Part: null, Hash: s.Hash, Revision: desired.Revision,
                    Status: "running", Running: true, Health: s.HasHealthCheck ? "healthy" : null, Image: main?.Image ?? "", Env: env,
                    Created: created, FinishedAt: default, ExitCode: 0));
            }
        }
        var networks = desired.Networks.Select(n => n.EngineName).ToHashSet(StringComparer.Ordinal);
        var owned = desired.Networks.Where(n => !n.External).Select(n => n.EngineName).ToHashSet(StringComparer.Ordinal);
        var routers = desired.Routers.Select(r => new GitOps.Reconciler.Ports.RouterView(r.Name, r.Port, r.Protocol, r.HostPort, new Dictionary<string, string>(),
            Planner.ExpectedBackends(desired, r).Select(b => new GitOps.Reconciler.Ports.RouterBackend(b.Container, b.Port, 1, true)).ToList())).ToList();
        return new ActualApp(containers, networks, owned, routers)
        {
            Volumes = desired.Volumes.Select(v => v.EngineName).ToHashSet(StringComparer.Ordinal),
            OwnedVolumes = desired.Volumes.Where(v => !v.External).Select(v => new ActualVolume(v.EngineName, null, v.Service)).ToList(),
            Objects = desired.Secrets.ToDictionary(o => (o.IsConfig, o.EngineName), o => new ActualObject(o.EngineName, o.IsConfig, !o.External, o.Digest)),
        };
    }}
