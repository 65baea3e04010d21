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

/// <summary>The daemon's memory while it watches many applications, beside a private Docker engine holding the same containers.</summary>
public sealed partial class GitOpsLoopBench
{
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
}
