using System.Net.Sockets;
using System.Text;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>
/// The service router: a virtual IP (and a published port) spreading new connections over weighted
/// backends, changed at run time without cutting established connections.
/// </summary>
public sealed class RouterTests : IClassFixture<DaemonFixture>
{
    readonly DaemonFixture d;

    public RouterTests(DaemonFixture fixture) => d = fixture;

    static string Get(int port)
    {
        using var client = new TcpClient();
        client.Connect("127.0.0.1", port);
        using var stream = client.GetStream();
        stream.Write("GET / HTTP/1.0\r\n\r\n"u8);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
    }

    static Dictionary<string, int> Spread(int port, int connections) =>
        Enumerable.Range(0, connections).Select(_ => Get(port)).GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());

    void Backend(string name, string network, string text) =>
        d.Ok("run", "-d", "--name", name, "--network", network, "--label", "gitops.service=shop", "bb",
            "sh", "-c", $"mkdir -p /w && echo {text} > /w/index.html && exec httpd -f -p 80 -h /w");

    [Fact]
    public void Weights_90_10_send_about_a_tenth_to_the_second_backend_and_unready_gets_none()
    {
        d.Ok("network", "create", "rnet");
        Backend("stable", "rnet", "stable");
        Backend("canary", "rnet", "canary");
        d.Ok("router", "create", "shop", "--network", "rnet", "--port", "80", "--publish", "18380",
            "--backend", "stable:80=90", "--backend", "canary:80=10");

        var spread = Spread(18380, 2000);
        var canary = spread.GetValueOrDefault("canary");
        Assert.InRange(canary, 140, 260); // 10 % ± 3 % of 2,000
        Assert.Equal(2000, spread.GetValueOrDefault("stable") + canary);

        // Inside the network the service name is the virtual IP, and it routes the same way.
        var vip = d.Ok("router", "inspect", "-f", "{{.Vip}}", "shop");
        Assert.Contains(vip, d.Ok("run", "--rm", "--network", "rnet", "bb", "nslookup", "shop"));
        var fromInside = d.Ok("run", "--rm", "--network", "rnet", "bb", "sh", "-c",
            "for i in $(seq 40); do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 shop 80 | tail -n 1; done");
        Assert.All(fromInside.Split('\n'), line => Assert.Contains(line, new[] { "stable", "canary" }));

        // An unready backend gets no new connections, whatever its weight.
        d.Ok("router", "set", "shop", "--backend", "stable:80=90", "--backend", "canary:80=10", "--unready", "canary");
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 300 }, Spread(18380, 300));

        // A backend that stops is no backend; when it runs again it is one again.
        d.Ok("router", "set", "shop", "--backend", "stable:80=50", "--backend", "canary:80=50");
        d.Ok("stop", "-t", "0", "stable");
        Assert.Equal(new Dictionary<string, int> { ["canary"] = 100 }, Spread(18380, 100));
        d.Ok("start", "stable");
        Assert.True(Spread(18380, 200).GetValueOrDefault("stable") > 50);

        d.Ok("router", "rm", "shop");
        Assert.Throws<SocketException>(() => Get(18380));
        d.Ok("rm", "-f", "stable", "canary");
        d.Ok("network", "rm", "rnet");
    }

    [Fact]
    public void A_backend_with_a_health_check_gets_new_connections_only_while_healthy()
    {
        d.Ok("network", "create", "hnet");
        Backend("hstable", "hnet", "stable");
        d.Ok("run", "-d", "--name", "hcanary", "--network", "hnet", "--health-cmd", "test -f /w/ready", "--health-interval", "200ms",
            "--health-retries", "1", "bb", "sh", "-c", "mkdir -p /w && echo canary > /w/index.html && exec httpd -f -p 80 -h /w");
        d.Ok("router", "create", "hshop", "--network", "hnet", "--port", "80", "--publish", "18382",
            "--backend", "hstable:80=50", "--backend", "hcanary:80=50");

        // Starting (then unhealthy): no connections, whatever its weight.
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 100 }, Spread(18382, 100));
        d.Ok("exec", "hcanary", "touch", "/w/ready");
        Gitops.Eventually(() => Spread(18382, 100).GetValueOrDefault("canary") > 20, TimeSpan.FromSeconds(20), "the healthy canary to get connections");
        d.Ok("exec", "hcanary", "rm", "/w/ready");
        Gitops.Eventually(() => d.Cli("inspect", "-f", "{{.State.Health.Status}}", "hcanary").Out == "unhealthy", TimeSpan.FromSeconds(20), "unhealthy");
        // The health event rewrites the rules just after the status changes: wait for a whole round without the canary.
        Gitops.Eventually(() => Spread(18382, 100) is { Count: 1 } s && s.GetValueOrDefault("stable") == 100, TimeSpan.FromSeconds(10), "the unhealthy canary to get no connections");

        d.Ok("router", "rm", "hshop");
        d.Ok("rm", "-f", "hstable", "hcanary");
        d.Ok("network", "rm", "hnet");
    }

    [Fact]
    public void Changing_weights_keeps_established_connections_on_their_backend()
    {
        d.Ok("network", "create", "enet");
        foreach (var name in new[] { "e-old", "e-new" })
            d.Ok("run", "-d", "--name", name, "--network", "enet", "bb", "nc", "-ll", "-p", "7", "-e", "sh", "-c", $"echo {name}; exec cat");
        d.Ok("router", "create", "echo", "--network", "enet", "--port", "7", "--publish", "18381", "--backend", "e-old:7=1");

        using var client = new TcpClient();
        Gitops.Eventually(() =>
        {
            try { client.Connect("127.0.0.1", 18381); return true; }
            catch (SocketException) { return false; }
        }, TimeSpan.FromSeconds(10), "the echo backend");
        using var stream = client.GetStream();
        stream.ReadTimeout = 5000;
        var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.Equal("e-old", reader.ReadLine());

        // Blue-green switch: all new connections to e-new.
        d.Ok("router", "set", "echo", "--backend", "e-old:7=0", "--backend", "e-new:7=1");
        stream.Write("still here\n"u8);
        Assert.Equal("still here", reader.ReadLine()); // the established connection kept its backend

        using var fresh = new TcpClient("127.0.0.1", 18381);
        var freshReader = new StreamReader(fresh.GetStream(), Encoding.ASCII);
        fresh.GetStream().ReadTimeout = 5000;
        Assert.Equal("e-new", freshReader.ReadLine());

        d.Ok("router", "rm", "echo");
        d.Ok("rm", "-f", "e-old", "e-new");
        d.Ok("network", "rm", "enet");
    }

    [Fact]
    public void Bad_router_input_is_collected_and_named()
    {
        d.Ok("network", "create", "bnet");
        var r = d.Cli("router", "create", "bad", "--network", "bnet", "--port", "80", "--backend", ":0=-1", "--backend", "x:70000");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("backends[0]", r.Stderr);
        Assert.Contains("backends[1]", r.Stderr);
        Assert.Contains("network nope not found", d.Cli("router", "create", "bad", "--network", "nope", "--port", "80").Stderr);
        Assert.Contains("No such router", d.Cli("router", "set", "ghost", "--backend", "a:80=1").Stderr);
        d.Ok("network", "rm", "bnet");
    }
}
