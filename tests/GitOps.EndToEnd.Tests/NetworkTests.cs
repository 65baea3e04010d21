using System.Net.Sockets;
using System.Text;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>
/// Networks with real bridges, veths and nftables: name resolution, isolation, the host/none/container
/// modes, published ports from the host and from another namespace, and nothing left behind.
/// </summary>
public sealed class NetworkTests : IClassFixture<DaemonFixture>
{
    readonly DaemonFixture d;

    public NetworkTests(DaemonFixture fixture) => d = fixture;

    /// <summary>The bb image running an httpd that serves TEXT at / on port 80.</summary>
    static string[] Httpd(string text) => ["bb", "sh", "-c", $"mkdir -p /w && echo {text} > /w/index.html && exec httpd -f -p 80 -h /w"];

    /// <summary>HTTP GET from inside a container with busybox nc; the body's last line, or "" when unreachable.</summary>
    string GetFrom(string[] runOptions, string host, int port = 80)
    {
        var r = d.Cli(["run", "--rm", .. runOptions, "bb", "sh", "-c", $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 {host} {port} | tail -n 1"]);
        return r.Out;
    }

    static string HttpGet(string host, int port)
    {
        using var client = new TcpClient();
        client.Connect(host, port);
        using var stream = client.GetStream();
        stream.Write("GET / HTTP/1.0\r\n\r\n"u8);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var all = reader.ReadToEnd();
        return all.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
    }

    [Fact]
    public void Names_resolve_on_a_user_defined_network_and_not_on_the_default_bridge()
    {
        d.Ok("network", "create", "dnsnet");
        d.Ok(["run", "-d", "--name", "dweb", "--network", "dnsnet", "--network-alias", "www", .. Httpd("dweb")]);
        d.Ok(["run", "-d", "--name", "dapi1", "--network", "dnsnet", "--label", "gitops.service=api", .. Httpd("api1")]);
        d.Ok(["run", "-d", "--name", "dapi2", "--network", "dnsnet", "--label", "gitops.service=api", .. Httpd("api2")]);
        d.Ok(["run", "-d", "--name", "dplain", .. Httpd("plain")]); // on the default bridge

        Assert.Equal("dweb", GetFrom(["--network", "dnsnet"], "dweb"));
        Assert.Equal("dweb", GetFrom(["--network", "dnsnet"], "www"));
        var ip1 = d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.dnsnet.IPAddress}}", "dapi1");
        var ip2 = d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.dnsnet.IPAddress}}", "dapi2");
        var lookup = d.Ok("run", "--rm", "--network", "dnsnet", "bb", "nslookup", "api");
        Assert.Contains(ip1, lookup);
        Assert.Contains(ip2, lookup);
        Assert.Contains("nameserver 127.0.0.11", d.Ok("run", "--rm", "--network", "dnsnet", "bb", "cat", "/etc/resolv.conf"));

        // The default bridge has no name resolution, as in Docker: by address only.
        var onBridge = d.Cli("run", "--rm", "bb", "nslookup", "dplain");
        Assert.DoesNotContain(d.Ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "dplain"), onBridge.Stdout);
        Assert.DoesNotContain("127.0.0.11", d.Ok("run", "--rm", "bb", "cat", "/etc/resolv.conf"));
        Assert.Equal("plain", GetFrom([], d.Ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "dplain")));

        // Renaming a container renames it in DNS.
        d.Ok("rename", "dweb", "dweb2");
        Assert.Equal("dweb", GetFrom(["--network", "dnsnet"], "dweb2"));

        d.Ok("rm", "-f", "dweb2", "dapi1", "dapi2", "dplain");
        d.Ok("network", "rm", "dnsnet");
    }

    [Fact]
    public void Networks_are_isolated_and_a_container_on_both_reaches_both()
    {
        d.Ok("network", "create", "left");
        d.Ok("network", "create", "right");
        d.Ok(["run", "-d", "--name", "lweb", "--network", "left", .. Httpd("left")]);
        d.Ok(["run", "-d", "--name", "rweb", "--network", "right", .. Httpd("right")]);
        var leftIp = d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.left.IPAddress}}", "lweb");
        var rightIp = d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.right.IPAddress}}", "rweb");

        Assert.Equal("left", GetFrom(["--network", "left"], leftIp));
        Assert.Equal("", GetFrom(["--network", "left"], rightIp));
        Assert.Equal("", GetFrom(["--network", "right"], leftIp));

        // A container on both: created on one, connected to the other while running.
        d.Ok("run", "-d", "--name", "both", "--network", "left", "bb", "sleep", "300");
        d.Ok("network", "connect", "right", "both");
        var http = $"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 {{0}} 80 | tail -n 1";
        Assert.Equal("left", d.Ok("exec", "both", "sh", "-c", string.Format(http, "lweb")));
        Assert.Equal("right", d.Ok("exec", "both", "sh", "-c", string.Format(http, "rweb")));
        Assert.Contains("eth1", d.Ok("exec", "both", "ip", "-o", "link"));
        d.Ok("network", "disconnect", "right", "both");
        Assert.Equal("", d.Cli("exec", "both", "sh", "-c", string.Format(http, rightIp)).Out);

        // A network in use cannot be removed.
        var inUse = d.Cli("network", "rm", "left");
        Assert.NotEqual(0, inUse.ExitCode);
        Assert.Contains("active endpoints", inUse.Stderr);

        d.Ok("rm", "-f", "lweb", "rweb", "both");
        d.Ok("network", "rm", "left", "right");
    }

    [Fact]
    public void None_has_only_loopback_host_shares_the_host_and_container_mode_shares_localhost()
    {
        var links = d.Ok("run", "--rm", "--network", "none", "bb", "ip", "-o", "link").Split('\n');
        Assert.Single(links);
        Assert.Contains("lo:", links[0]);

        // The host's own network namespace, not a copy: the same namespace inode (counting links would race with
        // the veths other tests create meanwhile), and the host's loopback and first interface are there.
        Assert.Equal(new FileInfo("/proc/self/ns/net").LinkTarget, d.Ok("run", "--rm", "--network", "host", "bb", "readlink", "/proc/self/ns/net"));
        var firstLink = Gitops.Exec("/usr/sbin/ip", null, null, DaemonFixture.Timeout, "-o", "link").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim().Split('@')[0]).First(n => n != "lo");
        var inHost = d.Ok("run", "--rm", "--network", "host", "bb", "ip", "-o", "link");
        Assert.Contains(" lo:", inHost);
        Assert.Contains($" {firstLink}", inHost);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/hostname").Trim(), d.Ok("run", "--rm", "--network", "host", "bb", "hostname"));

        // container:web shares web's network namespace: its localhost, address and name.
        d.Ok(["run", "-d", "--name", "podweb", .. Httpd("pod")]);
        Assert.Equal("pod", GetFrom(["--network", "container:podweb"], "127.0.0.1"));
        Assert.Equal(d.Ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "podweb"),
            d.Ok("run", "--rm", "--network", "container:podweb", "bb", "sh", "-c", "ip -o -4 addr show eth0 | awk '{print $4}' | cut -d/ -f1"));
        Assert.Contains("conflicting options", d.Cli("run", "--rm", "--network", "container:podweb", "-p", "80", "bb", "true").Stderr);
        d.Ok("rm", "-f", "podweb");
    }

    [Fact]
    public void Published_ports_are_reachable_from_the_host_and_from_another_namespace()
    {
        using var outside = new OutsideNamespace();
        d.Ok(["run", "-d", "--name", "pweb", "-p", "18080:80", "-p", "127.0.0.1:18081:80", .. Httpd("published")]);
        d.Ok(["run", "-d", "--name", "pall", "-P", "--expose", "80", .. Httpd("all")]);
        d.Ok(["run", "-d", "--name", "prange", "-p", "18090-18091:80-81", .. Httpd("range")]);

        Assert.Equal("published", HttpGet("127.0.0.1", 18080));
        Assert.Equal("published", HttpGet("127.0.0.1", 18081));
        Assert.Equal("published", HttpGet(outside.HostAddress, 18080)); // a host address other than loopback
        Assert.Equal("range", HttpGet("127.0.0.1", 18090));

        var port = d.Ok("port", "pall", "80/tcp");
        Assert.Matches(@"^0\.0\.0\.0:\d+$", port);
        var ephemeral = int.Parse(port.Split(':')[1]);
        Assert.Equal("all", HttpGet("127.0.0.1", ephemeral));
        Assert.Contains("80/tcp -> 0.0.0.0:18080", d.Ok("port", "pweb"));

        // From another namespace (another machine, as far as the host can tell): the public binding
        // answers; the one bound to 127.0.0.1 does not.
        string FromOutside(int p) => Gitops.Exec("/usr/sbin/ip", null, "GET / HTTP/1.0\r\n\r\n", DaemonFixture.Timeout,
            "netns", "exec", outside.Name, "/bin/busybox", "nc", "-w", "2", outside.HostAddress, p.ToString()).Stdout;
        Assert.Contains("published", FromOutside(18080));
        Assert.Contains("all", FromOutside(ephemeral));
        Assert.DoesNotContain("published", FromOutside(18081));

        // A container reaches a published port through the host's address too (hairpin).
        Assert.Equal("published", GetFrom([], outside.HostAddress, 18080));

        // A port already taken is a clear error, and the container is not left running.
        var clash = d.Cli("run", "-d", "--name", "pclash", "-p", "18080:80", "bb", "sleep", "300");
        Assert.Equal(125, clash.ExitCode);
        Assert.Contains("Bind for 0.0.0.0:18080 failed: port is already allocated", clash.Stderr);
        Assert.Equal("created", d.Ok("inspect", "-f", "{{.State.Status}}", "pclash"));
        using (var squatter = new TcpListener(System.Net.IPAddress.Any, 18082))
        {
            squatter.Start();
            var taken = d.Cli("run", "-d", "--name", "pclash2", "-p", "18082:80", "bb", "sleep", "300");
            Assert.Contains("port is already allocated", taken.Stderr);
        }

        d.Ok("rm", "-f", "pweb", "pall", "prange", "pclash", "pclash2");
        Assert.Throws<SocketException>(() => HttpGet("127.0.0.1", 18080));
    }

    [Fact]
    public void Containers_reach_the_outside_with_the_hosts_address()
    {
        using var outside = new OutsideNamespace();
        var cgi = Path.Combine(d.Dir, "outside-www");
        Directory.CreateDirectory(Path.Combine(cgi, "cgi-bin"));
        File.WriteAllText(Path.Combine(cgi, "cgi-bin", "addr"), "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\necho $REMOTE_ADDR\n");
        File.SetUnixFileMode(Path.Combine(cgi, "cgi-bin", "addr"), (UnixFileMode)0x1ed);
        using var server = new System.Diagnostics.Process
        {
            StartInfo = new("/usr/sbin/ip", ["netns", "exec", outside.Name, "/bin/busybox", "httpd", "-f", "-p", "7080", "-h", cgi]) { UseShellExecute = false },
        };
        server.Start();
        try
        {
            string seen = "";
            Gitops.Eventually(() =>
            {
                seen = d.Cli("run", "--rm", "bb", "sh", "-c",
                    $"printf 'GET /cgi-bin/addr HTTP/1.0\\r\\n\\r\\n' | nc -w 2 {outside.Address} 7080 | tail -n 1").Out;
                return seen.Length > 0;
            }, TimeSpan.FromSeconds(20), "the outside server");
            Assert.Equal($"[::ffff:{outside.HostAddress}]", seen); // masqueraded: the container's own address never leaves
        }
        finally { server.Kill(); server.WaitForExit(); }
    }

    [Fact]
    public void Removing_containers_and_networks_leaves_links_and_rules_as_they_were()
    {
        var linksBefore = d.HostLinks();
        var rulesBefore = d.NftRuleset();
        d.Ok("network", "create", "--subnet", "10.213.0.0/24", "tidy");
        d.Ok("run", "-d", "--name", "tidy1", "--network", "tidy", "-p", "18180:80", "bb", "sleep", "300");
        d.Ok("run", "-d", "--name", "tidy2", "-P", "--expose", "81", "bb", "sleep", "300");
        Assert.NotEqual(linksBefore, d.HostLinks());
        Assert.Equal("10.213.0.2", d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.tidy.IPAddress}}", "tidy1"));

        // A stopped container gives its address back; the next one gets it.
        d.Ok("stop", "-t", "0", "tidy1");
        d.Ok("run", "-d", "--name", "tidy3", "--network", "tidy", "bb", "sleep", "300");
        Assert.Equal("10.213.0.2", d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.tidy.IPAddress}}", "tidy3"));

        d.Ok("rm", "-f", "tidy1", "tidy2", "tidy3");
        d.Ok("network", "rm", "tidy");
        Assert.Equal(linksBefore, d.HostLinks());
        Assert.Equal(rulesBefore, d.NftRuleset());
        Assert.DoesNotContain("10.213.0.0/24", Gitops.Exec("/usr/sbin/ip", null, null, DaemonFixture.Timeout, "route").Stdout);
    }

    [Fact]
    public void A_daemon_restart_keeps_addresses_ports_and_names_and_a_crash_leaves_nothing_behind()
    {
        d.Ok("network", "create", "keep");
        d.Ok(["run", "-d", "--name", "kweb", "--network", "keep", "-p", "18280:80", .. Httpd("kept")]);
        d.Ok("run", "-d", "--name", "kdoomed", "--network", "keep", "bb", "sleep", "300");
        var ip = d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.keep.IPAddress}}", "kweb");
        var doomedPid = d.Ok("inspect", "-f", "{{.State.Pid}}", "kdoomed");
        var doomedIp = d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.keep.IPAddress}}", "kdoomed");

        d.KillDaemon();
        Gitops.Exec("/bin/kill", null, null, DaemonFixture.Timeout, "-9", doomedPid); // dies while no daemon watches
        Assert.Equal("kept", HttpGet("127.0.0.1", 18280)); // the kernel path keeps serving without the daemon
        d.StartDaemon();

        Assert.Equal(ip, d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.keep.IPAddress}}", "kweb"));
        Assert.Equal("kept", HttpGet("127.0.0.1", 18280));
        Assert.Equal("kept", GetFrom(["--network", "keep"], "kweb"));
        var clash = d.Cli("run", "-d", "--name", "ksquat", "-p", "18280:80", "bb", "true");
        Assert.Contains("port is already allocated", clash.Stderr); // the restarted daemon holds the port again

        // The dead container's veth is gone and its address is free again.
        Gitops.Eventually(() => d.Cli("inspect", "-f", "{{.State.Status}}", "kdoomed").Out == "exited", TimeSpan.FromSeconds(10), "kdoomed to be seen dead");
        var doomedId = d.Ok("inspect", "-f", "{{.Id}}", "kdoomed");
        Assert.DoesNotContain(d.HostLinks(), l => l.Contains(doomedId[..9], StringComparison.Ordinal));
        d.Ok("run", "-d", "--name", "kreuse", "--network", "keep", "bb", "sleep", "300");
        Assert.Equal(doomedIp, d.Ok("inspect", "-f", "{{.NetworkSettings.Networks.keep.IPAddress}}", "kreuse"));

        d.Ok("rm", "-f", "kweb", "kdoomed", "kreuse", "ksquat");
        d.Ok("network", "rm", "keep");
    }

    [Fact]
    public void Bad_network_input_is_a_clear_error()
    {
        Assert.Contains("network nope not found", d.Cli("run", "--rm", "--network", "nope", "bb", "true").Stderr);
        Assert.Contains("No such container: nope", d.Cli("run", "--rm", "--network", "container:nope", "bb", "true").Stderr);
        Assert.Contains("invalid publish \"99999:80\"", d.Cli("run", "--rm", "-p", "99999:80", "bb", "true").Stderr);
        Assert.Contains("network-scoped alias is supported only for containers in user defined networks",
            d.Cli("run", "--rm", "--network-alias", "x", "bb", "true").Stderr);
        Assert.Contains("bridge is a pre-defined network", d.Cli("network", "create", "bridge").Stderr);
        d.Ok("network", "create", "--subnet", "10.214.0.0/24", "ov1");
        var overlap = d.Cli("network", "create", "--subnet", "10.214.0.0/25", "ov2");
        Assert.NotEqual(0, overlap.ExitCode);
        Assert.Contains("overlaps", overlap.Stderr);
        Assert.Contains("gateway 10.9.0.1 is not in subnet 10.215.0.0/24", d.Cli("network", "create", "--subnet", "10.215.0.0/24", "--gateway", "10.9.0.1", "gw").Stderr);
        d.Ok("network", "rm", "ov1");
    }
}
