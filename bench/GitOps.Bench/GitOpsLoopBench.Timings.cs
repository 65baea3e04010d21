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

/// <summary>Through the daemon: commit-to-converged by webhook and by poll, and <c>gitops diff</c> through the CLI.</summary>
public sealed partial class GitOpsLoopBench
{
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

}
