using System.Diagnostics;

namespace GitOps.Bench;

/// <summary>A private gitops daemon on a temporary root and socket, killed on dispose.</summary>
public sealed class GitopsDaemon : IDisposable
{
    readonly Process _process;
    public string Binary { get; }
    public string Socket { get; }

    readonly string _table, _linkTag;
    readonly HashSet<string> _linksBefore = Links();
    readonly HashSet<string> _tablesBefore = Tables();

    readonly System.Text.StringBuilder _log = new();

    /// <param name="extraArgs">More daemon flags (--webhook-listen, --config, --drift-interval, ...).</param>
    public GitopsDaemon(string binary, string dir, params string[] extraArgs)
    {
        Binary = binary;
        Socket = Path.Combine(dir, "gitops.sock");
        // Host-global names carry a hash of the root: this daemon's nft table and links, never another daemon's.
        var instance = new GitOps.Runtime.EnginePaths(Path.Combine(dir, "root")).InstanceName;
        _table = instance.Replace('-', '_');
        _linkTag = instance["gitops-".Length..][..4];
        var psi = new ProcessStartInfo(binary)
        {
            ArgumentList = { "daemon", "--root", Path.Combine(dir, "root"), "--socket", Socket },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in extraArgs) psi.ArgumentList.Add(a);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var i = 0; i < 200 && Measure.TryRun(binary, "--socket", Socket, "version").Code != 0; i++) Thread.Sleep(50);
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    /// <summary>What the daemon printed so far (its log: applied steps, syncs with their engine time).</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    public int Pid => _process.Id;

    /// <summary>An HTTP client for the daemon's API on its Unix socket.</summary>
    public HttpClient Api()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await s.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(Socket), ct);
                return new System.Net.Sockets.NetworkStream(s, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://gitops/") };
    }

    public string Cli(params string[] args) => Measure.Run(Binary, ["--socket", Socket, .. args]);

    public void Dispose()
    {
        // SIGTERM first: the daemon removes its nft table and links on an orderly stop.
        Measure.TryRun("kill", "-TERM", _process.Id.ToString());
        if (!_process.WaitForExit(15000)) _process.Kill();
        // The default bridge outlives a daemon (as docker0 does); this daemon's root is thrown away, so are they.
        foreach (var t in Tables().Except(_tablesBefore).Where(t => t == _table)) Measure.TryRun("nft", "delete", "table", "ip", t);
        foreach (var l in Links().Except(_linksBefore).Where(l => l[1..].StartsWith(_linkTag, StringComparison.Ordinal))) Measure.TryRun("ip", "link", "del", l);
    }

    static HashSet<string> Tables() =>
        Measure.TryRun("nft", "list", "tables").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[^1]).Where(t => t.StartsWith("gitops_", StringComparison.Ordinal)).ToHashSet();

    static HashSet<string> Links() =>
        Measure.TryRun("ip", "-br", "link").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0].Split('@')[0]).Where(l => l.StartsWith('g') || l.StartsWith('v')).ToHashSet();
}

/// <summary>
/// A private Docker engine for side-by-side runs: its own data root and socket, no iptables changes to
/// the host (its published ports go through docker-proxy, the path loopback clients take anyway) and a
/// bridge subnet that cannot clash with gitops' networks.
/// </summary>
public sealed class DockerPeer : IDisposable
{
    readonly Process _dockerd;
    public string Host { get; }

    DockerPeer(Process dockerd, string host) { _dockerd = dockerd; Host = host; }

    /// <summary>Starts dockerd and imports <paramref name="rootfs"/> as image <paramref name="image"/>; null (with the reason printed) where Docker can't run here.</summary>
    public static DockerPeer? TryStart(string dir, string rootfs, string image)
    {
        if (!Measure.Exists("dockerd") || !Measure.Exists("docker"))
        {
            Console.WriteLine("the Docker engine is not installed: skipped (apt-get install docker.io)");
            return null;
        }
        var sock = Path.Combine(dir, "docker.sock");
        var dockerd = Process.Start(new ProcessStartInfo("dockerd")
        {
            ArgumentList =
            {
                "--iptables=false", "--ip6tables=false", "--bip", "10.213.0.1/24", "-H", "unix://" + sock,
                "--data-root", Path.Combine(dir, "docker-data"), "--exec-root", Path.Combine(dir, "docker-exec"),
                "--pidfile", Path.Combine(dir, "docker.pid"),
            },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        _ = dockerd.StandardOutput.ReadToEndAsync();
        _ = dockerd.StandardError.ReadToEndAsync();
        var peer = new DockerPeer(dockerd, "unix://" + sock);
        for (var i = 0; i < 200 && peer.TryCli("version").Code != 0; i++) Thread.Sleep(100);
        var tar = Path.Combine(dir, image + ".tar");
        Measure.Run("tar", "-C", rootfs, "-cf", tar, ".");
        var imported = Measure.TryRun("/bin/sh", "-c", $"docker -H {peer.Host} import {tar} {image}");
        var probe = imported.Code == 0 ? peer.TryCli("run", "--rm", image, "/bin/true") : imported;
        if (probe.Code == 0) return peer;
        Console.WriteLine($"the Docker engine could not run a container here, skipped: {probe.Output.Trim()}");
        peer.Dispose();
        return null;
    }

    public int Pid => _dockerd.Id;

    public (int Code, string Output) TryCli(params string[] args) => Measure.TryRun("docker", ["-H", Host, .. args]);

    public string Cli(params string[] args) => Measure.Run("docker", ["-H", Host, .. args]);

    public void Dispose()
    {
        Measure.TryRun("/bin/sh", "-c", $"docker -H {Host} rm -f $(docker -H {Host} ps -aq) 2>/dev/null");
        // docker0 is the bridge this peer made (--bip above); nothing else on a test machine uses that name.
        // SIGTERM lets dockerd stop its containerd; SIGKILL would leave it running.
        Measure.TryRun("kill", "-TERM", _dockerd.Id.ToString());
        if (!_dockerd.WaitForExit(20000)) _dockerd.Kill(entireProcessTree: true);
        Measure.TryRun("ip", "link", "del", "docker0");
    }
}
