using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Bench;

/// <summary>
/// Issue 2: start-to-exit latency of /bin/true through the daemon API and through the CLI, beside
/// runc run and docker run --rm on the same busybox root filesystem; sequential containers per
/// second; daemon memory with 200 sleeping containers. Issue 12: the same API latency with Docker's
/// default seccomp filter and with seccomp=unconfined, measured alternately in the same run.
/// </summary>
public sealed class EngineBench(string gitops, string repo, int runs, int sleepers, bool apiOnly) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gitops-bench-").FullName;
    Process? _daemon;
    Process? _dockerd;
    HttpClient? _api;
    string Socket => Path.Combine(_dir, "gitops.sock");
    string DockerHost => "unix://" + Path.Combine(_dir, "docker.sock");

    public async Task RunAsync()
    {
        var rootfs = Path.Combine(_dir, "rootfs");
        Measure.Run("/bin/bash", Path.Combine(repo, "examples", "hello", "make-rootfs.sh"), rootfs);
        StartGitops();
        Measure.Run(gitops, "--socket", Socket, "image", "import", rootfs, "bb");

        var rows = new List<Measure.Series>();
        if (apiOnly)
        {
            // Four batches of API runs alone: shows how stable the latency is on this machine.
            for (var b = 0; b < 4; b++)
            {
                var s = await Measure.RepeatAsync("api", 3, runs, ApiRunAsync);
                Console.WriteLine($"batch {b}: p50 {s.P50:0.00} p95 {s.P95:0.00} mean {s.Mean:0.00}");
            }
            return;
        }
        var api = await Measure.RepeatAsync("gitops API (create+start+wait)", 5, runs, ApiRunAsync);
        rows.Add(api);
        var (filtered, unconfined) = await SeccompPairAsync();
        rows.Add(filtered);
        rows.Add(unconfined);
        rows.Add(Measure.Repeat("gitops run --rm (CLI)", 3, runs, () => Measure.Run(gitops, "--socket", Socket, "run", "--rm", "bb", "/bin/true")));

        Measure.Series? runc = null;
        if (Measure.Exists("runc"))
        {
            var bundle = MakeRuncBundle(rootfs);
            var n = 0;
            runc = Measure.Repeat("runc run", 3, runs, () => Measure.Run("runc", "--root", Path.Combine(_dir, "runc-state"), "run", "-b", bundle, $"b{n++}"));
            rows.Add(runc);
        }
        else Console.WriteLine("runc is not installed: skipped (apt-get install runc)");

        Measure.Series? docker = null;
        if (StartDocker(rootfs))
        {
            docker = Measure.Repeat("docker run --rm", 2, runs, () => Measure.Run("docker", "-H", DockerHost, "run", "--rm", "bb", "/bin/true"));
            rows.Add(docker);
        }

        Measure.PrintLatency("start-to-exit of /bin/true", rows, runc ?? api);
        Console.WriteLine($"seccomp filter: p50 {filtered.P50:0.00} ms with Docker's default profile, {unconfined.P50:0.00} ms with seccomp=unconfined " +
            $"({filtered.P50 - unconfined.P50:+0.00;-0.00} ms; the filter is compiled once per profile and capability set, then only installed)");
        if (docker is not null)
        {
            var cli = rows[1];
            Console.WriteLine($"CLI vs docker run --rm: {docker.P50 / cli.P50:0.0}x faster (target 5x); API vs runc run: {(runc is null ? "n/a" : $"{runc.P50 / api.P50:0.0}x faster")} (target 3x)");
        }

        // Sequential throughput: containers started, run to completion and removed, one after the other.
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++) await ApiRunAsync();
        Console.WriteLine($"\n## sequential containers\ngitops API: {runs / sw.Elapsed.TotalSeconds:0.0} containers/s ({runs} runs)");
        if (docker is not null) Console.WriteLine($"docker run --rm: {1000 / docker.Mean:0.0} containers/s");

        await MemoryAsync();
    }

    /// <summary>
    /// Default filter and seccomp=unconfined, one run of each in turn, so that both see the same
    /// machine (this VM's latency drifts by tens of percent between batches).
    /// </summary>
    async Task<(Measure.Series Filtered, Measure.Series Unconfined)> SeccompPairAsync()
    {
        for (var i = 0; i < 3; i++) { await ApiRunAsync(); await ApiRunAsync("seccomp=unconfined"); }
        var filtered = new List<double>(runs);
        var unconfined = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await ApiRunAsync();
            filtered.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            await ApiRunAsync("seccomp=unconfined");
            unconfined.Add(sw.Elapsed.TotalMilliseconds);
        }
        return (new Measure.Series("gitops API, default seccomp filter", filtered), new Measure.Series("gitops API, seccomp=unconfined", unconfined));
    }

    Task ApiRunAsync() => ApiRunAsync(null);

    async Task ApiRunAsync(string? securityOpt)
    {
        var host = new JsonObject { ["AutoRemove"] = true };
        if (securityOpt is not null) host["SecurityOpt"] = new JsonArray(securityOpt);
        var body = new JsonObject
        {
            ["Image"] = "bb",
            ["Cmd"] = new JsonArray("/bin/true"),
            ["HostConfig"] = host,
        };
        using var created = await _api!.PostAsJsonAsync("containers/create", body);
        created.EnsureSuccessStatusCode();
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("Id").GetString()!;
        (await _api!.PostAsync($"containers/{id}/start", null)).EnsureSuccessStatusCode();
        // As docker run --rm does: wait until the container is gone, not only stopped.
        (await _api!.PostAsync($"containers/{id}/wait?condition=removed", null)).EnsureSuccessStatusCode();
    }

    async Task MemoryAsync()
    {
        Console.WriteLine($"\n## memory with {sleepers} sleeping containers");
        var before = Measure.RssMiB(_daemon!.Id);
        var ids = new List<string>();
        for (var i = 0; i < sleepers; i++)
        {
            var body = new JsonObject { ["Image"] = "bb", ["Cmd"] = new JsonArray("sleep", "3600") };
            using var r = await _api!.PostAsJsonAsync("containers/create", body);
            var id = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("Id").GetString()!;
            (await _api!.PostAsync($"containers/{id}/start", null)).EnsureSuccessStatusCode();
            ids.Add(id);
        }
        await Task.Delay(1000);
        var after = Measure.RssMiB(_daemon.Id);
        Console.WriteLine($"gitops daemon RSS: {before:0.0} MiB idle, {after:0.0} MiB with {sleepers} containers ({(after - before) * 1024 / sleepers:0} KiB per container; no shim processes)");
        foreach (var id in ids) await _api!.DeleteAsync($"containers/{id}?force=1");

        if (_dockerd is not null)
        {
            var dockerIds = new List<string>();
            for (var i = 0; i < sleepers; i++)
                dockerIds.Add(Measure.Run("docker", "-H", DockerHost, "run", "-d", "bb", "sleep", "3600").Trim());
            await Task.Delay(1000);
            var procs = Measure.Descendants(_dockerd.Id).Concat(ShimPids()).Distinct().ToArray();
            var dockerRss = Measure.RssMiB(procs.Where(p => !IsSleep(p)).ToArray());
            Console.WriteLine($"docker (dockerd + containerd + shims) RSS: {dockerRss:0.0} MiB with {sleepers} containers → gitops uses {dockerRss / after:0.0}x less");
            Measure.TryRun("docker", ["-H", DockerHost, "rm", "-f", .. dockerIds]);
        }
    }

    static bool IsSleep(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep"; } catch (IOException) { return true; }
    }

    static IEnumerable<int> ShimPids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string comm;
            try { comm = File.ReadAllText($"{dir}/comm").Trim(); } catch (IOException) { continue; }
            if (comm.StartsWith("containerd", StringComparison.Ordinal)) yield return pid;
        }
    }

    void StartGitops()
    {
        _daemon = Process.Start(new ProcessStartInfo(gitops)
        {
            ArgumentList = { "daemon", "--root", Path.Combine(_dir, "root"), "--socket", Socket },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        _api = new HttpClient(handler) { BaseAddress = new Uri("http://gitops/") };
        for (var i = 0; i < 100 && !File.Exists(Socket); i++) Thread.Sleep(50);
        Thread.Sleep(200);
    }

    string MakeRuncBundle(string rootfs)
    {
        var bundle = Path.Combine(_dir, "bundle");
        Directory.CreateDirectory(bundle);
        Measure.Run("cp", "-a", rootfs, Path.Combine(bundle, "rootfs"));
        Measure.Run("runc", "spec", "--bundle", bundle);
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")))!;
        spec["process"]!["terminal"] = false;
        spec["process"]!["args"] = new JsonArray("/bin/true");
        File.WriteAllText(Path.Combine(bundle, "config.json"), spec.ToJsonString());
        return bundle;
    }

    bool StartDocker(string rootfs)
    {
        if (!Measure.Exists("dockerd") || !Measure.Exists("docker"))
        {
            Console.WriteLine("the Docker engine is not installed: skipped (apt-get install docker.io)");
            return false;
        }
        var sock = Path.Combine(_dir, "docker.sock");
        _dockerd = Process.Start(new ProcessStartInfo("dockerd")
        {
            ArgumentList =
            {
                "--iptables=false", "--ip6tables=false", "-H", "unix://" + sock, "--data-root", Path.Combine(_dir, "docker-data"),
                "--exec-root", Path.Combine(_dir, "docker-exec"), "--pidfile", Path.Combine(_dir, "docker.pid"),
            },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        _ = _dockerd.StandardOutput.ReadToEndAsync();
        _ = _dockerd.StandardError.ReadToEndAsync();
        for (var i = 0; i < 200; i++)
        {
            if (Measure.TryRun("docker", "-H", DockerHost, "version").Code == 0) break;
            Thread.Sleep(100);
        }
        var tar = Path.Combine(_dir, "bb.tar");
        Measure.Run("tar", "-C", rootfs, "-cf", tar, ".");
        var imported = Measure.TryRun("/bin/sh", "-c", $"docker -H {DockerHost} import {tar} bb");
        var probe = imported.Code == 0 ? Measure.TryRun("docker", "-H", DockerHost, "run", "--rm", "bb", "/bin/true") : imported;
        if (probe.Code != 0)
        {
            Console.WriteLine($"the Docker engine could not run a container here, skipped: {probe.Output.Trim()}");
            _dockerd.Kill();
            _dockerd = null;
            return false;
        }
        return true;
    }

    public void Dispose()
    {
        _api?.Dispose();
        _daemon?.Kill();
        _daemon?.WaitForExit();
        if (_dockerd is not null)
        {
            _dockerd.Kill();
            _dockerd.WaitForExit();
            foreach (var shim in ShimPids()) Measure.TryRun("kill", "-9", shim.ToString());
        }
        Measure.RemoveScratch(_dir);
    }
}
