using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GitOps.Bench;

/// <summary>
/// Issue 4: HTTP requests per second and latency to one busybox httpd through a gitops published port
/// (nftables DNAT), through a gitops service router's virtual IP, straight to the container's IP (the
/// floor: no translation at all), through a gitops http router (YARP in the daemon: a weighted choice per
/// request, metrics per version) and through Docker's published port, all with wrk in one run.
/// busybox httpd closes every connection, so each request also measures connection setup through the path;
/// its listen backlog is 9, so the default of 8 connections keeps SYNs from overflowing it.
/// </summary>
public sealed partial class NetworkBench(string gitops, string repo, int seconds, int connections) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gitops-bench-net-").FullName;
    GitopsDaemon? _daemon;
    DockerPeer? _docker;

    const string Httpd = "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www";

    public void Run()
    {
        if (!Measure.Exists("wrk"))
        {
            Console.WriteLine("wrk is not installed (apt-get install wrk): nothing to measure");
            return;
        }
        var rootfs = Path.Combine(_dir, "rootfs");
        Measure.Run("/bin/bash", Path.Combine(repo, "examples", "hello", "make-rootfs.sh"), rootfs);
        _daemon = new GitopsDaemon(gitops, _dir);
        _daemon.Cli("image", "import", rootfs, "bb");
        _daemon.Cli("network", "create", "benchnet");
        // One server per path: a server's TIME_WAIT sockets from one path would reject (PAWS) the SYNs
        // of another path whose translated tuples reuse them with other timestamps, and skew the figures.
        _daemon.Cli("run", "-d", "--name", "web-ip", "--network", "benchnet", "bb", "sh", "-c", Httpd);
        _daemon.Cli("run", "-d", "--name", "web-port", "--network", "benchnet", "-p", "127.0.0.1:18480:80", "bb", "sh", "-c", Httpd);
        _daemon.Cli("run", "-d", "--name", "web-vip", "--network", "benchnet", "bb", "sh", "-c", Httpd);
        _daemon.Cli("run", "-d", "--name", "web-http", "--network", "benchnet", "bb", "sh", "-c", Httpd);
        using var doc = JsonDocument.Parse(_daemon.Cli("inspect", "web-ip"));
        var ip = doc.RootElement[0].GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("benchnet").GetProperty("IPAddress").GetString()!;
        var vip = _daemon.Cli("router", "create", "webr", "--network", "benchnet", "--port", "80", "--backend", "web-vip:80=1").Trim().Split(' ')[^1];

        // The http router keeps the client's connection open and opens one per request to busybox
        // (which closes every connection): the row shows what proxying per request costs over the floor.
        var hvip = _daemon.Cli("router", "create", "webh", "--mode", "http", "--network", "benchnet", "--port", "80", "--backend", "web-http:80=1").Trim().Split(' ')[^1];

        var rows = new List<Result>
        {
            Wrk("container IP (floor)", $"http://{ip}:80/"),
            Wrk("gitops published port", "http://127.0.0.1:18480/"),
            Wrk("gitops router VIP", $"http://{vip}/"),
            Wrk("gitops http router", $"http://{hvip}/"),
        };
        _docker = DockerPeer.TryStart(_dir, rootfs, "bb");
        if (_docker is not null)
        {
            _docker.Cli("run", "-d", "--name", "web", "-p", "127.0.0.1:18481:80", "bb", "sh", "-c", Httpd);
            rows.Add(Wrk("docker published port", "http://127.0.0.1:18481/"));
        }

        Console.WriteLine($"\n## HTTP through each path (wrk, {connections} connections, {seconds} s, busybox httpd, one request per connection)");
        Console.WriteLine($"{"",-26} {"req/s",10} {"p50 ms",8} {"p99 ms",8}   req/s vs floor");
        var floor = rows[0];
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-26} {r.Rps,10:0} {r.P50,8:0.00} {r.P99,8:0.00}   {r.Rps / floor.Rps:0.00}x"));
        var http = rows[3];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gitops http router vs straight to the container: {http.Rps / floor.Rps:0.00}x the requests per second, p99 {http.P99 - floor.P99:+0.00;-0.00} ms"));
        if (_docker is not null)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gitops published port vs docker published port: {rows[1].Rps / rows[^1].Rps:0.00}x the requests per second"));
    }

    sealed record Result(string Name, double Rps, double P50, double P99);

    Result Wrk(string name, string url)
    {
        // A short warm-up fills conntrack and the page cache, so the measured run is steady state.
        Measure.TryRun("wrk", "-t1", "-c4", "-d1s", url);
        var output = Measure.Run("wrk", "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", url);
        var errors = ErrorsLine().Match(output);
        if (errors.Success) Console.WriteLine($"{name}: {errors.Value.Trim()}");
        return new Result(name, Number(RpsLine().Match(output).Groups[1].Value), Millis(Percentile(output, "50%")), Millis(Percentile(output, "99%")));
    }

    static string Percentile(string output, string p) =>
        output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith(p, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];

    static double Number(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    static double Millis(string s) =>
        s.EndsWith("us", StringComparison.Ordinal) ? Number(s[..^2]) / 1000 :
        s.EndsWith("ms", StringComparison.Ordinal) ? Number(s[..^2]) :
        s.EndsWith('s') ? Number(s[..^1]) * 1000 : Number(s);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RpsLine();

    [GeneratedRegex(@"Socket errors:.*|Non-2xx.*")]
    private static partial Regex ErrorsLine();

    public void Dispose()
    {
        _docker?.Dispose();
        if (_daemon is not null)
        {
            Measure.TryRun(gitops, "--socket", _daemon.Socket, "router", "rm", "webr", "webh");
            Measure.TryRun(gitops, "--socket", _daemon.Socket, "rm", "-f", "web-ip", "web-port", "web-vip", "web-http");
            Measure.TryRun(gitops, "--socket", _daemon.Socket, "network", "rm", "benchnet");
            _daemon.Dispose();
        }
        Measure.RemoveScratch(_dir);
    }
}
