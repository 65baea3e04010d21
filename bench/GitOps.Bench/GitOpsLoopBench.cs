using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Bench.Manifests;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Rendering;
using GitOps.Reconciler.Sources;
using GitOps.Runtime.Networking;

namespace GitOps.Bench;

/// <summary>
/// Issue 7: the GitOps loop. In process: fetch, load + validate, compile and plan for generated Compose apps
/// of 1,000 and 10,000 services (2 replicas each), nothing changed and one service changed, planned against an
/// engine state that matches. Through a private daemon: commit-to-converged by webhook and by poll, with the
/// daemon's own engine time beside it; <c>gitops diff</c> over an app of 200 running containers; the
/// daemon's memory while it watches 100 applications, beside a private Docker engine holding the same
/// 100 containers. Argo CD's and doco-cd's figures are printed as published, never measured here.
/// </summary>
public sealed class GitOpsLoopBench(string gitops, string repo, int runs, int apps, int intervalSeconds) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gitops-bench-gitops-").FullName;
    readonly int _hookPort = FreePort();
    const string HookSecret = "bench-hook-secret";
    GitopsDaemon? _daemon;
    DockerPeer? _docker;
    HttpClient? _api;
    readonly List<string> _added = [];
    readonly CultureInfo _inv = CultureInfo.InvariantCulture;

    public async Task RunAsync()
    {
        await PlanInProcessAsync();

        var rootfs = Path.Combine(_dir, "rootfs");
        Measure.Run("/bin/bash", Path.Combine(repo, "examples", "hello", "make-rootfs.sh"), rootfs);
        var config = Path.Combine(_dir, "gitops.yaml");
        File.WriteAllText(config, $"webhook:\n  listen: 127.0.0.1:{_hookPort}\n  secret: {HookSecret}\n");
        _daemon = new GitopsDaemon(gitops, _dir, "--drift-interval", "5s", "--webhook-listen", $"127.0.0.1:{_hookPort}", "--config", config);
        _api = _daemon.Api();
        _daemon.Cli("image", "import", rootfs, "bb");

        var memory = await MemoryAsync();
        await WebhookAsync();
        await PollAsync();
        await DiffCliAsync(services: 20, replicas: 10);
        PrintMemory(memory, DockerMemory(rootfs));
    }

    // ---------------------------------------------------------------- in process: diff and plan

    sealed record Sizes(int Services, List<(string Stage, Measure.Series Series)> Rows);

    async Task PlanInProcessAsync()
    {
        var results = new List<Sizes>();
        // The 1,000-service run warms the JIT for the 10,000-service one, which gets no warm-up of its own (each run takes seconds).
        foreach (var n in new[] { 1000, 10000 }) results.Add(await PlanAsync(n, n >= 10000 ? 3 : 5, n >= 10000 ? 0 : 1));

        Console.WriteLine("\n## diff and plan in process (the reconciler under the JIT, no engine): generated Compose app (every service 2 replicas, 1 in 3 published through a router), p50 ms");
        Console.WriteLine($"{"",-44} {"1,000 svcs",11} {"10,000 svcs",12} {"10k/1k",7}");
        for (var i = 0; i < results[0].Rows.Count; i++)
        {
            var (stage, a) = results[0].Rows[i];
            var b = results[1].Rows[i].Series;
            Console.WriteLine(string.Create(_inv, $"{stage,-44} {a.P50,11:0.0} {b.P50,12:0.0} {b.P50 / a.P50,6:0.0}x"));
        }
        Console.WriteLine("(totals are sums of the p50s; the daemon also reads the engine's containers once per plan, which is not in these figures)");
    }

    async Task<Sizes> PlanAsync(int services, int reps, int warmup)
    {
        var project = $"p{services}";
        var git = new BenchRepo(Path.Combine(_dir, $"plan-{services}"));
        var text = Generated.Compose(services, stack: false);
        var v1 = git.Commit(("compose.yaml", text));
        var cache = new GitSourceCache(Path.Combine(_dir, $"cache-{services}"));
        var source = new AppSource(SourceKind.Git, git.Dir, "main", null, null, null);
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
            ("total, nothing changed (a poll)", Sum("", fetchNone, load, compile, planNone)),
            ("total, one changed (a sync, before apply)", Sum("", fetchOne, load, compile, planOne)),
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
    }

    // ---------------------------------------------------------------- through the daemon

    /// <summary>
    /// The workload: a shell that exits on SIGTERM, as a server does. A bare <c>sleep</c> is PID 1 of its container
    /// and ignores SIGTERM, so every stop would wait out the 10 s grace period (in gitops and in Docker alike).
    /// </summary>
    const string Workload = "trap 'exit 0' TERM; sleep 3600 & wait";
    const string WorkloadYaml = "[\"sh\", \"-c\", \"" + Workload + "\"]";

    static string Compose(int services, string changedEnv) =>
        "services:\n" + string.Concat(Enumerable.Range(0, services).Select(i =>
            $"  s{i}:\n    image: bb\n    command: {WorkloadYaml}\n    environment:\n      V: \"{(i == 1 ? changedEnv : "1")}\"\n"));

    async Task WebhookAsync()
    {
        var git = new BenchRepo(Path.Combine(_dir, "repo-hook"));
        var v1 = git.Commit(("compose.yaml", Compose(3, "0")));
        // A long interval: only the webhook brings the commit in (the first poll comes after up to 10 % of it).
        Add("hook", git.Dir, "24h");
        await WaitSyncedAsync("hook", v1, TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_hookPort}/") };

        var total = new List<double>();
        var reconcile = new List<double>();
        var engine = new List<double>();
        for (var i = 0; i < runs + 1; i++)
        {
            var sw = Stopwatch.StartNew();
            var rev = git.Commit(("compose.yaml", Compose(3, $"run{i}")));
            var payload = new JsonObject
            {
                ["ref"] = "refs/heads/main", ["after"] = rev,
                ["repository"] = new JsonObject { ["clone_url"] = git.Dir, ["html_url"] = git.Dir },
            }.ToJsonString();
            using var request = new HttpRequestMessage(HttpMethod.Post, "hooks") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-GitHub-Event", "push");
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(HookSecret), Encoding.UTF8.GetBytes(payload))));
            using var response = await http.SendAsync(request);
            if ((int)response.StatusCode != 202) throw new InvalidOperationException($"webhook answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            var status = await WaitSyncedAsync("hook", rev, TimeSpan.FromSeconds(60));
            var elapsed = sw.Elapsed.TotalMilliseconds;
            if (i == 0) continue; // warm-up
            total.Add(elapsed);
            reconcile.Add(status.GetProperty("lastDurationMs").GetDouble());
            engine.Add(status.GetProperty("lastEngineMs").GetDouble());
        }
        var t = new Measure.Series("commit -> converged (webhook)", total);
        var r = new Measure.Series("daemon reconcile (fetch..synced)", reconcile);
        var e = new Measure.Series("daemon engine time (apply)", engine);

        // The same container work by hand: stop, remove, create and start one container through the CLI.
        _daemon!.Cli("run", "-d", "--name", "bench-ref", "bb", "sh", "-c", Workload);
        var cli = Measure.Repeat("CLI stop+rm+run -d, one container", 1, runs, () =>
        {
            _daemon.Cli("stop", "bench-ref");
            _daemon.Cli("rm", "bench-ref");
            _daemon.Cli("run", "-d", "--name", "bench-ref", "bb", "sh", "-c", Workload);
        });
        _daemon.Cli("rm", "-f", "bench-ref");

        Console.WriteLine($"\n## commit to converged by webhook: 3-service Compose app, one service's environment changed per commit (recreated), {runs} runs");
        Console.WriteLine($"{"",-38} {"p50 ms",9} {"p90 ms",9} {"mean ms",9}");
        foreach (var s in new[] { t, r, e, cli })
            Console.WriteLine(string.Create(_inv, $"{s.Name,-38} {s.P50,9:0.0} {s.P90,9:0.0} {s.Mean,9:0.0}"));
        Console.WriteLine(string.Create(_inv, $"ratio total / engine time: gitops {t.P50 / e.P50:0.0}x (p50 commit-to-converged / p50 engine time)"));
        Console.WriteLine("published figures, not measured here: doco-cd's notes show a 37 s webhook run whose container work took 3.7 s: 10.0x");
        Remove("hook");
    }

    async Task PollAsync()
    {
        var git = new BenchRepo(Path.Combine(_dir, "repo-poll"));
        var v1 = git.Commit(("compose.yaml", Compose(3, "0")));
        var interval = TimeSpan.FromSeconds(2);
        Add("poll", git.Dir, "2s");
        await WaitSyncedAsync("poll", v1, TimeSpan.FromSeconds(60));
        var random = new Random(7);
        var n = Math.Max(3, runs);
        var total = new List<double>();
        for (var i = 0; i < n; i++)
        {
            // Commit at a random point of the poll period, as pushes arrive.
            await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * interval.TotalMilliseconds));
            var sw = Stopwatch.StartNew();
            var rev = git.Commit(("compose.yaml", Compose(3, $"poll{i}")));
            await WaitSyncedAsync("poll", rev, TimeSpan.FromSeconds(60));
            total.Add(sw.Elapsed.TotalMilliseconds);
        }
        Remove("poll");
        var s = new Measure.Series("commit -> converged (poll every 2s)", total);
        Console.WriteLine($"\n## commit to converged by poll: --interval 2s (default jitter up to 10 %), commits at random points of the period, {n} runs");
        Console.WriteLine(string.Create(_inv, $"{s.Name,-38} p50 {s.P50:0} ms, p90 {s.P90:0} ms, min {s.Millis.Min():0} ms, max {s.Millis.Max():0} ms"));
        Console.WriteLine("polls firing in the same second share one fetch (ReconcilerHost.PollCycle)");
        Console.WriteLine("published figure, not measured here: Argo CD polls every 180 s by default (90 s on average from a push, without its webhook)");
    }

    /// <summary><c>gitops diff</c> through the CLI on an app of <paramref name="services"/> × <paramref name="replicas"/> running containers.</summary>
    async Task DiffCliAsync(int services, int replicas)
    {
        var git = new BenchRepo(Path.Combine(_dir, "repo-big"));
        string Yaml(string v) => "services:\n" + string.Concat(Enumerable.Range(0, services).Select(i =>
            $"  s{i}:\n    image: bb\n    command: {WorkloadYaml}\n    environment:\n      V: \"{(i == 0 ? v : "1")}\"\n    deploy:\n      replicas: {replicas}\n"));
        var v1 = git.Commit(("compose.yaml", Yaml("1")));
        var up = Stopwatch.StartNew();
        Add("big", git.Dir, "24h");
        await WaitSyncedAsync("big", v1, TimeSpan.FromSeconds(120));
        var upMs = up.Elapsed.TotalMilliseconds;
        await Task.Delay(1000); // let the post-apply drift check of 200 containers finish first
        var none = Measure.Repeat("gitops diff, nothing changed", 1, runs, () => Diff("big", expectChanges: false));
        git.Commit(("compose.yaml", Yaml("2")));
        var one = Measure.Repeat("gitops diff, one service changed", 1, runs, () => Diff("big", expectChanges: true));
        var down = Stopwatch.StartNew();
        Remove("big");
        var downMs = down.Elapsed.TotalMilliseconds;
        Console.WriteLine($"\n## gitops diff through the CLI: {services} services x {replicas} replicas = {services * replicas} running containers, {runs} runs");
        Console.WriteLine($"{"",-38} {"p50 ms",9} {"p90 ms",9} {"mean ms",9}");
        foreach (var s in new[] { none, one })
            Console.WriteLine(string.Create(_inv, $"{s.Name,-38} {s.P50,9:0.0} {s.P90,9:0.0} {s.Mean,9:0.0}"));
        Console.WriteLine(string.Create(_inv, $"for scale: app add to converged {upMs:0} ms; app rm --remove-resources {downMs:0} ms ({services * replicas} containers)"));
    }

    void Diff(string app, bool expectChanges)
    {
        var r = Measure.TryRun(gitops, "--socket", _daemon!.Socket, "diff", app);
        if (r.Code != (expectChanges ? 1 : 0)) throw new InvalidOperationException($"gitops diff {app} exited {r.Code} (expected {(expectChanges ? 1 : 0)}): {r.Output}");
    }

    /// <summary>The apps share one network, made beforehand: each its own would exhaust the default address pools (about 30 networks, as in Docker).</summary>
    const string SharedNetwork = "networks:\n  default:\n    name: benchnet\n    external: true\n";

    sealed record GitopsMemory(double Idle, double Converged, double AfterPolls, double EngineConverged, double EngineAfterPolls, int Apps, double ConvergeMs, int Polls);

    /// <summary>RSS of the daemon idle, with <c>apps</c> applications (one container each, each its own repository) converged, and after a few poll cycles.</summary>
    async Task<GitopsMemory> MemoryAsync()
    {
        var pid = _daemon!.Pid;
        await Task.Delay(1000);
        var idle = Measure.RssMiB(pid);
        _daemon.Cli("network", "create", "benchnet");
        var names = new List<(string Name, string Revision)>();
        for (var i = 0; i < apps; i++)
        {
            var git = new BenchRepo(Path.Combine(_dir, "mem", $"m{i:000}"));
            names.Add(($"m{i:000}", git.Commit(("compose.yaml", $"services:\n  s:\n    image: bb\n    command: {WorkloadYaml}\n{SharedNetwork}"))));
        }
        var sw = Stopwatch.StartNew();
        foreach (var (name, _) in names) Add(name, Path.Combine(_dir, "mem", name), $"{intervalSeconds}s", wait: false);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var statuses = await StatusesAsync();
            var done = names.Count(n => statuses.TryGetValue(n.Name, out var s) && s.Revision == n.Revision && s.Sync == "Synced");
            if (done == names.Count) break;
            if (deadline.Elapsed > TimeSpan.FromSeconds(180)) throw new TimeoutException($"{done} of {names.Count} apps converged; log:\n{Tail(_daemon.Log)}");
            await Task.Delay(100);
        }
        var convergeMs = sw.Elapsed.TotalMilliseconds;
        await Task.Delay(1000);
        var converged = Measure.RssMiB(pid);
        var engineConverged = EnginePss(pid);
        const int polls = 3;
        await Task.Delay(TimeSpan.FromSeconds(intervalSeconds * polls + 1));
        var afterPolls = Measure.RssMiB(pid);
        var engineAfter = EnginePss(pid);
        var removing = names.Select(n => n.Name).ToList();
        Parallel.ForEach(removing, new ParallelOptions { MaxDegreeOfParallelism = 4 }, Remove);
        _daemon.Cli("network", "rm", "benchnet");
        return new GitopsMemory(idle, converged, afterPolls, engineConverged, engineAfter, apps, convergeMs, polls);
    }

    /// <summary>The gitops daemon and any helper processes of its own, without the workloads themselves (busybox sh and sleep).</summary>
    static double EnginePss(int daemon) => Measure.PssMiB(Measure.Descendants(daemon).Where(p => !IsWorkload(p)).ToArray());

    static bool IsWorkload(int pid) => Comm(pid) is "sh" or "sleep";

    static string Comm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return ""; }
    }

    sealed record DockerMemoryResult(double Idle, double Dockerd, double Engine, int Shims);

    /// <summary>A private Docker engine holding the same containers: dockerd alone, and dockerd + containerd + shims.</summary>
    DockerMemoryResult? DockerMemory(string rootfs)
    {
        _docker = DockerPeer.TryStart(_dir, rootfs, "bb");
        if (_docker is null) return null;
        Thread.Sleep(1000);
        var idle = Measure.RssMiB(_docker.Pid);
        Parallel.For(0, apps, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => _docker.Cli("run", "-d", "--name", $"m{i:000}", "bb", "sh", "-c", Workload));
        Thread.Sleep(3000);
        var shims = Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .Where(p => p > 0 && Cmdline(p) is var c && c.Contains("containerd-shim", StringComparison.Ordinal) && c.Contains(_dir, StringComparison.Ordinal)).ToList();
        var engine = Measure.Descendants(_docker.Pid).Concat(shims.SelectMany(Measure.Descendants)).Distinct().Where(p => !IsWorkload(p)).ToArray();
        return new DockerMemoryResult(idle, Measure.RssMiB(_docker.Pid), Measure.PssMiB(engine), shims.Count);
    }

    static string Cmdline(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
    }

    void PrintMemory(GitopsMemory g, DockerMemoryResult? d)
    {
        Console.WriteLine($"\n## memory while watching {g.Apps} applications (each its own repository, one busybox container, all on one network, polled every {intervalSeconds}s, drift check every 5s)");
        Console.WriteLine(string.Create(_inv, $"all {g.Apps} converged {g.ConvergeMs / 1000:0.0} s after the first app add (--no-wait)"));
        Console.WriteLine($"{"MiB",-52} {"gitops",9} {"docker",9}   gitops vs docker");
        void Row(string name, double ours, double? theirs) => Console.WriteLine(string.Create(_inv,
            $"{name,-52} {ours,9:0.0} {(theirs is { } t ? t.ToString("0.0", _inv) : "-"),9}   {(theirs is { } x ? Ratio(ours, x) : "")}"));
        Row("RSS, daemon idle, no apps (docker: no containers)", g.Idle, d?.Idle);
        Row($"RSS, daemon, {g.Apps} apps converged (docker: {g.Apps} ctrs)", g.Converged, d?.Dockerd);
        Row($"RSS, daemon after {g.Polls} more poll cycles", g.AfterPolls, null);
        Row("PSS, engine processes without workloads, converged", g.EngineConverged, d?.Engine);
        Row($"PSS, the same after {g.Polls} more poll cycles", g.EngineAfterPolls, null);
        Console.WriteLine("gitops' engine processes are the daemon alone (a container's first process is its workload; no shim)");
        if (d is not null)
            Console.WriteLine($"docker's are dockerd + containerd + {d.Shims} containerd-shim processes; docker only holds the containers (no Git, no reconciler)");
    }

    static string Ratio(double ours, double theirs) =>
        (ours <= theirs ? theirs / ours : ours / theirs).ToString("0.00", CultureInfo.InvariantCulture) + (ours <= theirs ? "x less" : "x more");

    // ---------------------------------------------------------------- helpers

    void Add(string name, string repoDir, string interval, bool wait = false)
    {
        _daemon!.Cli(["app", "add", name, "--repo", repoDir, "--branch", "main", "--interval", interval, "--prune", .. wait ? Array.Empty<string>() : ["--no-wait"]]);
        lock (_added) _added.Add(name);
    }

    void Remove(string name)
    {
        _daemon!.Cli("app", "rm", "--remove-resources", name);
        lock (_added) _added.Remove(name);
    }

    sealed record AppState(string? Revision, string Sync);

    async Task<Dictionary<string, AppState>> StatusesAsync()
    {
        using var doc = JsonDocument.Parse(await _api!.GetStringAsync("apps"));
        return doc.RootElement.EnumerateArray().Select(a => a.GetProperty("status")).ToDictionary(
            s => s.GetProperty("name").GetString()!,
            s => new AppState(s.TryGetProperty("revision", out var r) ? r.GetString() : null, s.GetProperty("sync").GetString()!));
    }

    /// <summary>Polls the app's status every 20 ms until <paramref name="revision"/> is applied and Synced; returns the status.</summary>
    async Task<JsonElement> WaitSyncedAsync(string app, string revision, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        string last = "";
        while (sw.Elapsed < timeout)
        {
            using var r = await _api!.GetAsync($"apps/{app}");
            last = await r.Content.ReadAsStringAsync();
            if (r.IsSuccessStatusCode)
            {
                using var doc = JsonDocument.Parse(last);
                var s = doc.RootElement.GetProperty("status");
                if (s.TryGetProperty("revision", out var rev) && rev.GetString() == revision && s.GetProperty("sync").GetString() == "Synced") return s.Clone();
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"{app} did not reach {revision[..7]} Synced in {timeout.TotalSeconds} s; status: {last}\nlog:\n{Tail(_daemon!.Log)}");
    }

    static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(30));

    static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A Git repository in the scratch directory, changed with the git CLI as a user would.</summary>
    sealed class BenchRepo
    {
        public BenchRepo(string dir)
        {
            Dir = dir;
            Directory.CreateDirectory(dir);
            Git("init", "-q", "-b", "main");
        }

        public string Dir { get; }

        public string Commit(params (string Path, string Content)[] files)
        {
            foreach (var (path, content) in files) File.WriteAllText(Path.Combine(Dir, path), content);
            Git("add", "-A");
            Git("commit", "-q", "-m", "bench");
            return Git("rev-parse", "HEAD").Trim();
        }

        string Git(params string[] args) => Measure.Run("git", ["-C", Dir, "-c", "user.email=bench@example.test", "-c", "user.name=bench", "-c", "commit.gpgsign=false", .. args]);
    }

    public void Dispose()
    {
        _docker?.Dispose();
        if (_daemon is not null)
        {
            foreach (var a in _added.ToList()) Measure.TryRun(gitops, "--socket", _daemon.Socket, "app", "rm", "--remove-resources", a);
            Measure.TryRun(gitops, "--socket", _daemon.Socket, "rm", "-f", "bench-ref");
            Measure.TryRun(gitops, "--socket", _daemon.Socket, "network", "rm", "benchnet");
            _api?.Dispose();
            _daemon.Dispose();
        }
        Measure.RemoveScratch(_dir);
    }
}
