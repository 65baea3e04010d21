using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Bench;

/// <summary>
/// Issue 5: what volumes, secrets and housekeeping cost. Start-to-exit of /bin/true through the API
/// with nothing, a named volume, secrets (4 files and a variable), and an image VOLUME copied into a
/// fresh anonymous volume each run; secret and volume create/rm through the CLI; system df and prune
/// over many volumes. Beside a private Docker engine on the same busybox root filesystem where Docker
/// has the feature: Docker's secrets exist only in a swarm and reach only services, so they are
/// compared as create/rm in a one-node swarm of that private engine, not as container starts.
/// </summary>
public sealed class StorageBench(string gitops, string repo, int runs, int volumes) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gitops-bench-storage-").FullName;
    GitopsDaemon? _daemon;
    bool _swarm, _gwbridgeBefore;
    DockerPeer? _docker;
    HttpClient? _api;
    string Socket => _daemon!.Socket;

    public async Task RunAsync()
    {
        var rootfs = Path.Combine(_dir, "rootfs");
        Measure.Run("/bin/bash", Path.Combine(repo, "examples", "hello", "make-rootfs.sh"), rootfs);
        // An image whose VOLUME /data holds 200 files of 16 KiB (3.2 MB): what copy-up has to copy.
        var volroot = Path.Combine(_dir, "volroot");
        Measure.Run("cp", "-a", rootfs, volroot);
        Directory.CreateDirectory(Path.Combine(volroot, "data"));
        for (var i = 0; i < 200; i++) File.WriteAllBytes(Path.Combine(volroot, "data", $"f{i}"), new byte[16 * 1024]);
        StartGitops();
        G("image", "import", rootfs, "bb");
        G("image", "import", "--change", "VOLUME /data", volroot, "vimg");
        G("volume", "create", "benchvol");
        var secrets = new List<JsonNode>();
        for (var i = 0; i < 4; i++)
        {
            Measure.Run("/bin/sh", "-c", $"head -c 64 /dev/urandom | base64 | {gitops} --socket {Socket} secret create s{i} -");
            secrets.Add(new JsonObject { ["Source"] = $"s{i}" });
        }

        var plain = await Measure.RepeatAsync("gitops: plain", 3, runs, () => RunAsync("bb", null, null));
        var volume = await Measure.RepeatAsync("gitops: -v benchvol:/data", 3, runs, () => RunAsync("bb", new JsonArray("benchvol:/data"), null));
        var secret = await Measure.RepeatAsync("gitops: 4 secrets + 1 secret env", 3, runs, () => RunAsync("bb", null, new JsonArray(secrets.Select(s => s.DeepClone()).ToArray())));
        var copy = await Measure.RepeatAsync("gitops: VOLUME copy-up 3.2 MB", 3, runs, () => RunAsync("vimg", null, null));
        var rows = new List<Measure.Series> { plain, volume, secret, copy };
        if (StartDocker(rootfs, volroot))
        {
            D("volume", "create", "benchvol");
            rows.Add(Measure.Repeat("docker run --rm: plain", 2, runs, () => D("run", "--rm", "bb", "/bin/true")));
            rows.Add(Measure.Repeat("docker run --rm: -v benchvol:/data", 2, runs, () => D("run", "--rm", "-v", "benchvol:/data", "bb", "/bin/true")));
            rows.Add(Measure.Repeat("docker run --rm: VOLUME copy-up", 2, runs, () => D("run", "--rm", "vimg", "/bin/true")));
        }
        Measure.PrintLatency("start-to-exit of /bin/true with storage", rows, plain);
        // Differences of p50s: within the ±30 % noise of this VM, a small one can come out negative.
        Console.WriteLine($"over plain (p50): 4 secrets + env {secret.P50 - plain.P50:+0.00;-0.00} ms, named volume {volume.P50 - plain.P50:+0.00;-0.00} ms, copy-up of 3.2 MB {copy.P50 - plain.P50:+0.00;-0.00} ms");

        ObjectChurn();
        await HousekeepingAsync();
    }

    /// <summary>CLI round trips of secret create/rm (64 bytes from stdin) and volume create/rm.</summary>
    void ObjectChurn()
    {
        var n = Math.Max(runs, 10);
        var payload = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        var i = 0;
        var rows = new List<Measure.Series>
        {
            Measure.Repeat("gitops secret create", 2, n, () => Measure.RunWithInput(gitops, payload, "--socket", Socket, "secret", "create", $"c{i++}", "-")),
        };
        i = 0;
        rows.Add(Measure.Repeat("gitops secret rm", 2, n, () => G("secret", "rm", $"c{i++}")));
        i = 0;
        rows.Add(Measure.Repeat("gitops volume create", 2, n, () => G("volume", "create", $"cv{i++}")));
        i = 0;
        rows.Add(Measure.Repeat("gitops volume rm", 2, n, () => G("volume", "rm", $"cv{i++}")));
        var baseline = rows[0];
        if (_docker is not null)
        {
            if (StartSwarm())
            {
                i = 0;
                rows.Add(Measure.Repeat("docker secret create (swarm)", 2, n, () => Measure.RunWithInput("docker", payload, "-H", _docker.Host, "secret", "create", $"c{i++}", "-")));
                i = 0;
                rows.Add(Measure.Repeat("docker secret rm (swarm)", 2, n, () => D("secret", "rm", $"c{i++}")));
            }
            i = 0;
            rows.Add(Measure.Repeat("docker volume create", 2, n, () => D("volume", "create", $"cv{i++}")));
            i = 0;
            rows.Add(Measure.Repeat("docker volume rm", 2, n, () => D("volume", "rm", $"cv{i++}")));
        }
        Measure.PrintLatency("CLI round trips: secret and volume create/rm", rows, baseline);
    }

    /// <summary>A one-node swarm in the private engine, loopback only, so it has secrets; false where it cannot.</summary>
    bool StartSwarm()
    {
        _gwbridgeBefore = Measure.TryRun("ip", "link", "show", "docker_gwbridge").Code == 0;
        var init = _docker!.TryCli("swarm", "init", "--advertise-addr", "127.0.0.1",
            "--listen-addr", $"127.0.0.1:{FreePort()}");
        _swarm = init.Code == 0;
        if (_swarm) return true;
        Console.WriteLine($"docker swarm init failed here, Docker secrets skipped: {init.Output.Trim()}");
        return false;
    }

    static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>df and prune with many volumes (each 4 files of 4 KiB) and stopped containers.</summary>
    async Task HousekeepingAsync()
    {
        Console.WriteLine($"\n## system df and prune: {volumes} volumes of 16 KiB, {volumes} stopped containers");
        for (var i = 0; i < volumes; i++)
        {
            var name = $"pv{i}";
            G("volume", "create", name);
            Fill(Path.Combine(_dir, "root", "volumes", name, "_data"));
            using var r = await _api!.PostAsJsonAsync("containers/create", new JsonObject { ["Image"] = "bb", ["Cmd"] = new JsonArray("/bin/true") });
            r.EnsureSuccessStatusCode();
        }
        var df = Time(() => G("system", "df"));
        var containers = Time(() => G("container", "prune", "-f"));
        var prune = Time(() => G("volume", "prune", "-a", "-f"));
        var left = Measure.Run(gitops, "--socket", Socket, "volume", "ls", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Console.WriteLine($"gitops system df: {df:0} ms; container prune: {containers:0} ms; volume prune -a: {prune:0} ms ({left} volumes left)");
        if (_docker is null) return;
        for (var i = 0; i < volumes; i++)
        {
            D("volume", "create", $"pv{i}");
            Fill(Path.Combine(_dir, "docker-data", "volumes", $"pv{i}", "_data"));
            D("create", "bb", "/bin/true");
        }
        var ddf = Time(() => D("system", "df"));
        var dcontainers = Time(() => D("container", "prune", "-f"));
        // Since Docker 23 a plain volume prune takes anonymous volumes only; -a takes named ones too, like ours.
        var dprune = Time(() =>
        {
            if (_docker.TryCli("volume", "prune", "-a", "-f").Code != 0) D("volume", "prune", "-f");
        });
        var dleft = _docker.Cli("volume", "ls", "-q").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Console.WriteLine($"docker system df: {ddf:0} ms; container prune: {dcontainers:0} ms; volume prune -a: {dprune:0} ms ({dleft} volumes left)");
        Console.WriteLine($"ratios (docker / gitops, above 1 means gitops is faster): df {ddf / df:0.0}x, container prune {dcontainers / containers:0.0}x, volume prune {dprune / prune:0.0}x");
    }

    /// <summary>4 files of 4 KiB, written straight into the volume's directory on the host.</summary>
    static void Fill(string data)
    {
        for (var f = 0; f < 4; f++) File.WriteAllBytes(Path.Combine(data, $"f{f}"), new byte[4096]);
    }

    static double Time(Action a)
    {
        var sw = Stopwatch.StartNew();
        a();
        return sw.Elapsed.TotalMilliseconds;
    }

    void G(params string[] args) => Measure.Run(gitops, ["--socket", Socket, .. args]);
    void D(params string[] args) => _docker!.Cli(args);

    async Task RunAsync(string image, JsonArray? binds, JsonArray? secrets)
    {
        var body = new JsonObject
        {
            ["Image"] = image,
            ["Cmd"] = new JsonArray("/bin/true"),
            ["HostConfig"] = new JsonObject { ["AutoRemove"] = true, ["Binds"] = binds ?? [] },
            ["Secrets"] = secrets ?? [],
            ["SecretEnv"] = secrets is null ? new JsonArray() : new JsonArray(new JsonObject { ["Name"] = "S", ["Source"] = "s0" }),
        };
        using var created = await _api!.PostAsJsonAsync("containers/create", body);
        if (!created.IsSuccessStatusCode) throw new InvalidOperationException(await created.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("Id").GetString()!;
        (await _api!.PostAsync($"containers/{id}/start", null)).EnsureSuccessStatusCode();
        (await _api!.PostAsync($"containers/{id}/wait?condition=removed", null)).EnsureSuccessStatusCode();
    }

    void StartGitops()
    {
        _daemon = new GitopsDaemon(gitops, _dir);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        _api = new HttpClient(handler) { BaseAddress = new Uri("http://gitops/") };
    }

    /// <summary>The private Docker engine with bb and vimg (bb with VOLUME /data over 3.2 MB) imported.</summary>
    bool StartDocker(string rootfs, string volroot)
    {
        _docker = DockerPeer.TryStart(_dir, rootfs, "bb");
        if (_docker is null) return false;
        var tar = Path.Combine(_dir, "vimg.tar");
        Measure.Run("tar", "-C", volroot, "-cf", tar, ".");
        Measure.Run("/bin/sh", "-c", $"docker -H {_docker.Host} import --change 'VOLUME /data' {tar} vimg");
        return true;
    }

    public void Dispose()
    {
        _api?.Dispose();
        _daemon?.Dispose();
        if (_swarm) _docker!.TryCli("swarm", "leave", "--force");
        _docker?.Dispose();
        // A swarm makes docker_gwbridge on the host, which outlives the engine: the one this run made goes.
        if (_swarm && !_gwbridgeBefore) Measure.TryRun("ip", "link", "del", "docker_gwbridge");
        Measure.TryRun("/bin/sh", "-c", $"for m in $(grep {_dir} /proc/mounts | cut -d' ' -f2 | sort -r); do umount -l $m; done; rm -rf {_dir}");
    }
}
