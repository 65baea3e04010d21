using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>A daemon of its own for the publishing transitions (they hold host ports while they run).</summary>
public sealed class PublishingFixture : DaemonFixture
{
    protected override string ExtraDaemonArgs => "--drift-interval 500ms";
}

/// <summary>
/// A running app survives everyday changes to replicas and published ports, through the GitOps loop with real
/// containers: Compose 1 ⇄ 3 replicas with a published range, Compose moving between direct publishing and a
/// router, a stack scaling behind its router. After each step the ports answer, nothing extra runs, no router or
/// nft rule is left over, and the app is Synced; what cannot work is refused before anything is touched.
/// </summary>
public sealed class PublishingTransitionTests(PublishingFixture d) : IClassFixture<PublishingFixture>
{
    /// <summary>The body of GET / on a host port, or null when nothing answers.</summary>
    static string? Get(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            using var stream = client.GetStream();
            stream.ReadTimeout = 5000;
            stream.Write("GET / HTTP/1.0\r\n\r\n"u8);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim();
        }
        catch (SocketException) { return null; }
        catch (IOException) { return null; }
    }

    /// <summary>A block of consecutive free host ports, so this test never fights another over a fixed one.</summary>
    static int FreePorts(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(21000, 29000);
            var listeners = new List<TcpListener>();
            try
            {
                for (var p = first; p < first + count; p++)
                {
                    var l = new TcpListener(IPAddress.Any, p);
                    l.Start();
                    listeners.Add(l);
                }
                return first;
            }
            catch (SocketException) { }
            finally { foreach (var l in listeners) l.Stop(); }
        }
        throw new InvalidOperationException("no block of free ports");
    }

    Dictionary<string, string> Containers(string app) =>
        d.Ok("ps", "-a", "--filter", $"label=gitops.app={app}", "--format", "{{.Names}} {{.ID}}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);

    JsonElement Status(string app)
    {
        using var doc = JsonDocument.Parse(d.Ok("status", "-o", "json", app));
        return doc.RootElement[0].Clone();
    }

    /// <summary>Syncs and expects the revision applied, Synced, with no drift.</summary>
    void Synced(string app, string commit)
    {
        var sync = d.Cli("sync", app);
        Assert.True(sync.ExitCode == 0, $"{sync}\ndaemon log:\n{File.ReadAllText(d.DaemonLog)}");
        Gitops.Eventually(() => Status(app) is var s && s.GetProperty("revision").GetString() == commit && s.GetProperty("sync").GetString() == "Synced",
            TimeSpan.FromSeconds(30), $"{app} Synced at {commit[..7]}");
    }

    string Routers() => d.Ok("router", "ls");

    string RouterLine(string name) => Assert.Single(Routers().Split('\n'), l => l.StartsWith(name + " ", StringComparison.Ordinal));

    string PortBindings(string container) => d.Ok("inspect", "-f", "{{json .HostConfig.PortBindings}}", container);

    void AssertAnswers(int port, string text) =>
        Gitops.Eventually(() => Get(port)?.Contains(text, StringComparison.Ordinal) == true, TimeSpan.FromSeconds(15), $"port {port} to answer {text}");

    /// <summary>No container and no nft rule publishes the port any more.</summary>
    void AssertReleased(int port)
    {
        Assert.Null(Get(port));
        Assert.DoesNotContain($"dport {port} ", d.NftRuleset());
    }

    [Fact]
    public void The_pets_example_scales_its_web_to_three_replicas_on_a_range_and_back()
    {
        var make = Gitops.Exec("/bin/bash", d.Socket, null, DaemonFixture.Timeout, Path.Combine(Gitops.RepoRoot, "examples", "pets", "images", "make-images.sh"), Gitops.Binary);
        Assert.True(make.ExitCode == 0, make.ToString());
        var b = FreePorts(3);
        // The bundled example as it is, on a free port instead of 3000.
        var pets = File.ReadAllText(Path.Combine(Gitops.RepoRoot, "examples", "pets", "compose", "compose.yaml")).Replace("\"3000:3000\"", $"\"{b}:3000\"");
        Assert.Contains($"\"{b}:3000\"", pets);
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-pets"));
        var v1 = repo.Commit("v1", ("compose/compose.yaml", pets));
        d.Ok("app", "add", "pets", "--repo", repo.Dir, "--branch", "main", "--path", "compose", "--interval", "1h", "--prune");
        Synced("pets", v1);
        AssertAnswers(b, "pets");
        var before = Containers("pets");
        Assert.Equal(["pets-db-1", "pets-web-1"], before.Keys.Order());

        // Three replicas on a fixed host port cannot work: refused at the ports entry, nothing touched.
        var fixedPort = repo.Commit("three on one port", ("compose/compose.yaml", pets.Replace("    ports:", "    deploy: {replicas: 3}\n    ports:")));
        var refused = d.Cli("sync", "pets");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("compose/compose.yaml:9:", refused.Stdout + refused.Stderr);
        Assert.Contains("fixed host port", refused.Stdout + refused.Stderr);
        Assert.Equal(before, Containers("pets"));
        AssertAnswers(b, "pets");
        _ = fixedPort;

        // A range gives each replica its own port: 1 → 3, replica 1 recreated with the range, two more added.
        var v2 = repo.Commit("web: 3 replicas", ("compose/compose.yaml", pets.Replace("    ports:", "    deploy: {replicas: 3}\n    ports:").Replace($"\"{b}:3000\"", $"\"{b}-{b + 2}:3000\"")));
        Synced("pets", v2);
        var three = Containers("pets");
        Assert.Equal(["pets-db-1", "pets-web-1", "pets-web-2", "pets-web-3"], three.Keys.Order());
        Assert.Equal(before["pets-db-1"], three["pets-db-1"]);
        for (var i = 0; i < 3; i++)
        {
            AssertAnswers(b + i, "pets");
            Assert.Contains($"\"HostPort\":\"{b + i}\"", PortBindings($"pets-web-{i + 1}"));
        }
        Assert.DoesNotContain("pets-web", Routers());
        Assert.Equal(0, d.Cli("diff", "pets").ExitCode);

        // 3 → 1 on the single port again: the extra replicas and their ports go.
        var v3 = repo.Commit("web: back to 1", ("compose/compose.yaml", pets));
        Synced("pets", v3);
        Assert.Equal(["pets-db-1", "pets-web-1"], Containers("pets").Keys.Order());
        AssertAnswers(b, "pets");
        AssertReleased(b + 1);
        AssertReleased(b + 2);
        Assert.Equal(0, d.Cli("diff", "pets").ExitCode);

        d.Ok("app", "rm", "--remove-resources", "--remove-volumes", "pets");
        AssertReleased(b);
    }

    const string Web = """
        services:
          web:
            image: bb
            command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
            ports:
              - "PORTS"
        """;

    [Fact]
    public void Compose_moves_its_port_to_a_router_for_a_start_first_update_and_back()
    {
        var b = FreePorts(1);
        var direct = Web.Replace("PORTS", $"{b}:80") + "\n";
        var startFirst = direct + "    deploy:\n      update_config: {order: start-first}\n";
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-cr"));
        var v1 = repo.Commit("v1", ("compose.yaml", direct));
        // Named Compose: update_config alone would make the file a stack.
        d.Ok("app", "add", "cr", "--repo", repo.Dir, "--branch", "main", "--interval", "1h", "--format", "compose");
        Assert.Contains("compose", d.Ok("app", "ls"));
        Synced("cr", v1);
        var first = Get(b);
        Assert.False(string.IsNullOrEmpty(first));
        Assert.Contains($"\"HostPort\":\"{b}\"", PortBindings("cr-web-1"));

        // Direct → router: the replica is recreated without its own binding and the router takes the port.
        var v2 = repo.Commit("start-first", ("compose.yaml", startFirst));
        Synced("cr", v2);
        Assert.Equal(["cr-web-1"], Containers("cr").Keys);
        Assert.Contains("cr-web-80-tcp", Routers());
        Assert.DoesNotContain($"\"HostPort\":\"{b}\"", PortBindings("cr-web-1"));
        // A new replica (another hostname) answers, through the router.
        Gitops.Eventually(() => Get(b) is { Length: > 0 } body && body != first, TimeSpan.FromSeconds(15), "the router to answer from the new replica");

        // A start-first update behind the router: the port keeps answering from one replica or the other.
        var v3 = repo.Commit("new command", ("compose.yaml", startFirst.Replace("hostname >", "echo v3 >")));
        Synced("cr", v3);
        AssertAnswers(b, "v3");
        Assert.Equal(["cr-web-1"], Containers("cr").Keys);

        // Router → direct: the router lets go of the port before the replica binds it; nothing of the router is left.
        var v4 = repo.Commit("back to direct", ("compose.yaml", direct.Replace("hostname >", "echo v4 >")));
        Synced("cr", v4);
        AssertAnswers(b, "v4");
        Assert.DoesNotContain("cr-web", Routers());
        Assert.Contains($"\"HostPort\":\"{b}\"", PortBindings("cr-web-1"));
        Assert.Equal(["cr-web-1"], Containers("cr").Keys);
        Assert.Equal(0, d.Cli("diff", "cr").ExitCode);

        d.Ok("app", "rm", "--remove-resources", "cr");
        AssertReleased(b);
    }

    [Fact]
    public void A_host_port_held_by_another_process_fails_the_sync_before_anything_is_touched()
    {
        var b = FreePorts(2);
        string Compose(string ports, int replicas) => Web.Replace("PORTS", ports) + $"\n    deploy: {{replicas: {replicas}}}\n";
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-held"));
        var v1 = repo.Commit("v1", ("compose.yaml", Compose($"{b}:80", 1)));
        d.Ok("app", "add", "held", "--repo", repo.Dir, "--branch", "main", "--interval", "1h");
        Synced("held", v1);
        var before = Containers("held");

        var v2 = "";
        var squatter = new TcpListener(IPAddress.Any, b + 1);
        squatter.Start();
        try
        {
            v2 = repo.Commit("v2", ("compose.yaml", Compose($"{b}-{b + 1}:80", 2)));
            var sync = d.Cli("sync", "held");
            Assert.NotEqual(0, sync.ExitCode);
            Assert.Contains($"replica held-web-2 needs host port {b + 1}/tcp, which another process holds", sync.Stdout + sync.Stderr);
            Assert.Equal(before, Containers("held")); // replica 1 was not replaced, replica 2 not made
            AssertAnswers(b, "");
        }
        finally { squatter.Stop(); }

        // Once the port is free, the same revision applies (a port taken is worth retrying, unlike a failed rollout).
        Synced("held", v2);
        Assert.Equal(["held-web-1", "held-web-2"], Containers("held").Keys.Order());
        AssertAnswers(b + 1, "");
        d.Ok("app", "rm", "--remove-resources", "held");
    }

    [Fact]
    public void A_stack_scales_1_to_3_and_back_behind_one_published_port()
    {
        var b = FreePorts(1);
        static string Stack(int port, int replicas) => Web.Replace("PORTS", $"{port}:80") + $"\n    deploy: {{replicas: {replicas}}}\n";
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-st"));
        var v1 = repo.Commit("v1", ("docker-stack.yml", Stack(b, 1)));
        d.Ok("app", "add", "st", "--repo", repo.Dir, "--branch", "main", "--interval", "1h", "--prune");
        Synced("st", v1);
        AssertAnswers(b, "");
        var one = Containers("st");

        var v2 = repo.Commit("3 replicas", ("docker-stack.yml", Stack(b, 3)));
        Synced("st", v2);
        var three = Containers("st");
        Assert.Equal(["st-web-1", "st-web-2", "st-web-3"], three.Keys.Order());
        Assert.Equal(one["st-web-1"], three["st-web-1"]); // scaling replaces nothing
        // The routing mesh in front of all three: each answers on the one port.
        var seen = new HashSet<string>();
        Gitops.Eventually(() =>
        {
            if (Get(b) is { Length: > 0 } body) seen.Add(body);
            return seen.Count == 3;
        }, TimeSpan.FromSeconds(30), "all three replicas to answer on one port");
        Assert.Contains("st-web-3:80", RouterLine("st-web-80-tcp"));

        // mode: host with three replicas cannot work on one node: refused at the ports entry, nothing touched.
        var hostMode = repo.Commit("host mode", ("docker-stack.yml",
            Stack(b, 3).Replace($"      - \"{b}:80\"", $"      - {{target: 80, published: {b}, mode: host}}")));
        var refused = d.Cli("sync", "st");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("docker-stack.yml:6:", refused.Stdout + refused.Stderr);
        Assert.Contains("mode: host", refused.Stdout + refused.Stderr);
        Assert.Equal(three, Containers("st"));
        _ = hostMode;

        var v3 = repo.Commit("back to 1", ("docker-stack.yml", Stack(b, 1)));
        Synced("st", v3);
        Assert.Equal(["st-web-1"], Containers("st").Keys);
        Assert.Equal(one["st-web-1"], Containers("st")["st-web-1"]);
        AssertAnswers(b, "");
        var router = RouterLine("st-web-80-tcp");
        Assert.Contains("st-web-1:80", router);
        Assert.DoesNotContain("st-web-2:80", router);

        d.Ok("app", "rm", "--remove-resources", "st");
        Assert.DoesNotContain("st-web", Routers());
        AssertReleased(b);
    }
}
