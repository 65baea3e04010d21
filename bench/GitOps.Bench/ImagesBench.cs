using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GitOps.EndToEnd.Tests.Infrastructure;
using GitOps.Runtime.Images;

namespace GitOps.Bench;

/// <summary>
/// Issue 3: pull of a ~50 MB, 3-layer image from a local registry (Debian's docker-registry) by
/// gitops, docker pull and skopeo copy, in one run with ratios; and a cached rebuild of a
/// Dockerfile by gitops and by docker build.
/// </summary>
public sealed class ImagesBench(string gitops, string repo, int runs) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gitops-bench-images-").FullName;
    readonly List<Process> _started = [];
    int _port;
    string Socket => Path.Combine(_dir, "gitops.sock");
    string DockerHost => "unix://" + Path.Combine(_dir, "docker.sock");
    string Image => $"127.0.0.1:{_port}/bench/big:v1";

    public async Task RunAsync()
    {
        var rootfs = Path.Combine(_dir, "rootfs");
        Measure.Run("/bin/bash", Path.Combine(repo, "examples", "hello", "make-rootfs.sh"), rootfs);
        if (!Measure.Exists("docker-registry") || !Measure.Exists("skopeo"))
        {
            Console.WriteLine("docker-registry and skopeo are needed for the pull benchmark (apt-get install docker-registry skopeo)");
            return;
        }
        var size = MakeImage(rootfs);
        StartRegistry();
        Measure.Run("skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false", $"oci:{Path.Combine(_dir, "oci")}:big", $"docker://{Image}");
        Console.WriteLine($"image: {Image}, 3 layers, {size / 1e6:0.0} MB compressed");
        StartGitops();
        Measure.Run(gitops, "--socket", Socket, "image", "import", rootfs, "bb");
        var docker = StartDocker(rootfs);

        var rows = new List<Measure.Series>();
        // Each timed run starts from an empty store: the rmi before it is not timed.
        var ours = TimedAfter("gitops pull", () => Measure.TryRun(gitops, "--socket", Socket, "rmi", Image), () => Measure.Run(gitops, "--socket", Socket, "pull", "-q", Image));
        rows.Add(ours);
        Measure.Series? dockerPull = null;
        if (docker)
        {
            dockerPull = TimedAfter("docker pull", () => Measure.TryRun("docker", "-H", DockerHost, "rmi", Image),
                () => Measure.Run("docker", "-H", DockerHost, "pull", "-q", Image));
            rows.Add(dockerPull);
        }
        var n = 0;
        rows.Add(TimedAfter("skopeo copy (to dir:, no unpack)", () => { }, () =>
            Measure.Run("skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false", $"docker://{Image}", $"dir:{Path.Combine(_dir, "skopeo-" + n++)}")));
        Measure.PrintLatency("pull of a ~50 MB, 3-layer image from a local registry", rows, dockerPull ?? ours);

        CachedRebuild(docker);
        await Task.CompletedTask;
    }

    Measure.Series TimedAfter(string name, Action reset, Action timed)
    {
        reset();
        timed(); // warm-up
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            reset();
            var sw = Stopwatch.StartNew();
            timed();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return new Measure.Series(name, times);
    }

    void CachedRebuild(bool docker)
    {
        var ctx = Path.Combine(_dir, "ctx");
        Directory.CreateDirectory(Path.Combine(ctx, "src"));
        for (var i = 0; i < 50; i++) File.WriteAllText(Path.Combine(ctx, "src", $"f{i}.txt"), new string('x', 2000 + i));
        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), """
            FROM bb AS build
            WORKDIR /src
            COPY src/ /src/
            RUN cat /src/*.txt | wc -c > /size
            FROM bb
            ENV APP=bench
            COPY --from=build /size /size
            RUN echo built > /built
            CMD ["cat", "/size"]
            """);
        Measure.Run(gitops, "--socket", Socket, "build", "-q", "-t", "rebuild:1", ctx);
        var rows = new List<Measure.Series>
        {
            Measure.Repeat("gitops build (all cached)", 2, runs * 2, () => Measure.Run(gitops, "--socket", Socket, "build", "-q", "-t", "rebuild:1", ctx)),
        };
        if (docker)
        {
            var env = new Dictionary<string, string> { ["DOCKER_BUILDKIT"] = "0" };
            RunWithEnv(env, "docker", "-H", DockerHost, "build", "-q", "-t", "rebuild:1", ctx);
            rows.Add(Measure.Repeat("docker build (classic, all cached)", 2, runs * 2, () => RunWithEnv(env, "docker", "-H", DockerHost, "build", "-q", "-t", "rebuild:1", ctx)));
        }
        Measure.PrintLatency("rebuild of an unchanged 2-stage Dockerfile (9 steps)", rows, rows[^1]);
    }

    static void RunWithEnv(Dictionary<string, string> env, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {o.Result}{e.Result}");
    }

    /// <summary>busybox plus two layers of incompressible data: about 50 MB to move.</summary>
    long MakeImage(string rootfs)
    {
        var oci = new OciLayout(Path.Combine(_dir, "oci"));
        var layers = new List<(Descriptor, string)> { oci.AddDirectoryLayer(rootfs) };
        for (var l = 0; l < 2; l++)
        {
            var data = new byte[24 << 20];
            Random.Shared.NextBytes(data);
            var layer = l;
            layers.Add(oci.AddLayer(w =>
            {
                for (var f = 0; f < 8; f++)
                {
                    var e = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, $"data{layer}/chunk{f}")
                    {
                        Mode = (UnixFileMode)0x1A4,
                        DataStream = new MemoryStream(data, f * (3 << 20), 3 << 20),
                    };
                    w.WriteEntry(e);
                }
            }));
        }
        oci.AddImage(layers, new ImageRuntimeConfig { Cmd = ["ls", "/"] }, tag: "big");
        oci.Save();
        return layers.Sum(l => l.Item1.Size);
    }

    void StartRegistry()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        _port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var config = Path.Combine(_dir, "registry.yml");
        File.WriteAllText(config, $"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {Path.Combine(_dir, "registry")}\nhttp:\n  addr: 127.0.0.1:{_port}\n");
        Start("docker-registry", "serve", config);
        using var http = new HttpClient();
        for (var i = 0; i < 100; i++)
        {
            try { if (http.GetAsync($"http://127.0.0.1:{_port}/v2/").Result.IsSuccessStatusCode) return; }
            catch (AggregateException) { }
            Thread.Sleep(100);
        }
        throw new InvalidOperationException("the registry did not start");
    }

    void StartGitops()
    {
        Start(gitops, "daemon", "--root", Path.Combine(_dir, "root"), "--socket", Socket);
        for (var i = 0; i < 100 && Measure.TryRun(gitops, "--socket", Socket, "version").Code != 0; i++) Thread.Sleep(100);
    }

    bool StartDocker(string rootfs)
    {
        if (!Measure.Exists("dockerd") || !Measure.Exists("docker"))
        {
            Console.WriteLine("the Docker engine is not installed: docker pull skipped (apt-get install docker.io)");
            return false;
        }
        Start("dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none", "-H", DockerHost, "--data-root", Path.Combine(_dir, "docker-data"),
            "--exec-root", Path.Combine(_dir, "docker-exec"), "--pidfile", Path.Combine(_dir, "docker.pid"), "--insecure-registry", $"127.0.0.1:{_port}");
        for (var i = 0; i < 200 && Measure.TryRun("docker", "-H", DockerHost, "version").Code != 0; i++) Thread.Sleep(100);
        var tar = Path.Combine(_dir, "bb.tar");
        Measure.Run("tar", "-C", rootfs, "-cf", tar, ".");
        var imported = Measure.TryRun("docker", "-H", DockerHost, "import", tar, "bb");
        if (imported.Code != 0)
        {
            Console.WriteLine($"the Docker engine did not start here, skipped: {imported.Output.Trim()}");
            return false;
        }
        return true;
    }

    void Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        _started.Add(p);
    }

    public void Dispose()
    {
        // Only what this benchmark started, newest first; dockerd gets SIGTERM so it takes its own containerd down.
        foreach (var p in Enumerable.Reverse(_started))
        {
            if (p.HasExited) continue;
            Measure.TryRun("kill", "-TERM", p.Id.ToString());
            if (!p.WaitForExit(20_000)) p.Kill();
        }
        Measure.TryRun("/bin/sh", "-c", $"for m in $(grep {_dir} /proc/mounts | cut -d' ' -f2 | sort -r); do umount -l $m; done; rm -rf {_dir}");
    }
}
