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
/// Issue 7: the GitOps loop. In process (<see cref="GitOpsPlanBench"/>): fetch, load, compile and plan of generated
/// apps of 1,000 and 10,000 services, uncached and through the revision cache. Through a private daemon: commit-to-converged by webhook and by poll, with the
/// daemon's own engine time beside it; <c>gitops diff</c> over an app of 200 running containers; the
/// daemon's memory while it watches 100 applications, beside a private Docker engine holding the same
/// 100 containers. Argo CD's and doco-cd's figures are printed as published, never measured here.
/// </summary>
public sealed partial class GitOpsLoopBench(string gitops, string repo, int runs, int apps, int intervalSeconds, bool inProcessOnly = false) : IDisposable
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
        await new GitOpsPlanBench(_dir).RunAsync();
        if (inProcessOnly) return;

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
