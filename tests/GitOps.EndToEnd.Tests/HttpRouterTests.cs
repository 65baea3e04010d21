using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>A daemon of its own that serves Prometheus metrics on a loopback port.</summary>
public sealed class HttpRouterFixture : DaemonFixture
{
    public const int MetricsPort = 19391;
    protected override string ExtraDaemonArgs => $"--metrics-listen 127.0.0.1:{MetricsPort}";
}

/// <summary>
/// The router's http mode (YARP in the daemon): per-request weights changed at run time on a kept-alive
/// connection, Argo-style header routes, per-version metrics through the API, the CLI and Prometheus,
/// drain of a backend with a request in flight, and Ingress-style host/path rules with TLS from a secret.
/// Backends are busybox httpd; a CGI script answers with a chosen status.
/// </summary>
public sealed class HttpRouterTests(HttpRouterFixture d) : IClassFixture<HttpRouterFixture>
{
    /// <summary>
    /// index.html says <paramref name="text"/>; /cgi-bin/app answers <paramref name="status"/> with it (busybox
    /// httpd passes a CGI's own status line through); /cgi-bin/slow waits for /tmp/go, having touched /tmp/started.
    /// </summary>
    void Backend(string name, string network, string text, int status = 200, string? service = null) =>
        d.Ok("run", "-d", "--name", name, "--network", network, "--label", $"gitops.service={service ?? "shop"}", "bb", "sh", "-c",
            $"mkdir -p /w/cgi-bin && echo {text} > /w/index.html && " +
            $"printf '#!/bin/sh\\nprintf \"HTTP/1.0 {status} S\\\\r\\\\nContent-Type: text/plain\\\\r\\\\n\\\\r\\\\n{text}\\\\n\"\\n' > /w/cgi-bin/app && " +
            $"printf '#!/bin/sh\\ntouch /tmp/started\\nwhile [ ! -f /tmp/go ]; do sleep 0.1; done\\nprintf \"HTTP/1.0 200 OK\\\\r\\\\n\\\\r\\\\n{text}\\\\n\"\\n' > /w/cgi-bin/slow && " +
            "chmod +x /w/cgi-bin/app /w/cgi-bin/slow && exec httpd -f -p 80 -h /w");

    /// <summary>A client that counts the TCP connections it opens (one keep-alive connection at most).</summary>
    sealed class CountingClient : IDisposable
    {
        int _connects;
        public HttpClient Http { get; }
        public int Connects => Volatile.Read(ref _connects);

        public CountingClient(int maxConnections = 1)
        {
            var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = maxConnections,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                ConnectCallback = async (ctx, ct) =>
                {
                    Interlocked.Increment(ref _connects);
                    var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await s.ConnectAsync(ctx.DnsEndPoint, ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            };
            Http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        }

        public void Dispose() => Http.Dispose();
    }

    static string Body(HttpClient http, string url, params (string Name, string Value)[] headers)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (n, v) in headers) req.Headers.Add(n, v);
        using var resp = http.Send(req);
        return resp.Content.ReadAsStringAsync().GetAwaiter().GetResult().Trim();
    }

    static Dictionary<string, int> Spread(HttpClient http, string url, int requests, params (string, string)[] headers) =>
        Enumerable.Range(0, requests).Select(_ => Body(http, url, headers)).GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void Weights_apply_per_request_and_change_at_run_time_without_dropping_a_kept_alive_connection()
    {
        d.Ok("network", "create", "hwnet");
        Backend("hw-stable", "hwnet", "stable");
        Backend("hw-canary", "hwnet", "canary");
        d.Ok("router", "create", "hw", "--mode", "http", "--network", "hwnet", "--port", "80", "--publish", "18390",
            "--backend", "hw-stable:80=90,group=stable", "--backend", "hw-canary:80=10,group=canary");
        using var client = new CountingClient();
        const string url = "http://127.0.0.1:18390/";

        // Per request, not per connection: every request below travels over the same connection.
        var spread = Spread(client.Http, url, 2000);
        Assert.InRange(spread.GetValueOrDefault("canary"), 140, 260); // 10 % ± 3 % of 2,000
        Assert.Equal(2000, spread.GetValueOrDefault("stable") + spread.GetValueOrDefault("canary"));

        d.Ok("router", "set", "hw", "--weight", "hw-stable=50", "--weight", "hw-canary=50");
        spread = Spread(client.Http, url, 2000);
        Assert.InRange(spread.GetValueOrDefault("canary"), 940, 1060); // 50 % ± 3 %

        d.Ok("router", "set", "hw", "--weight", "hw-stable=0", "--weight", "hw-canary=100");
        Assert.Equal(new Dictionary<string, int> { ["canary"] = 300 }, Spread(client.Http, url, 300));
        Assert.Equal(1, client.Connects); // weights changed three times; the client's connection was never cut

        // Inside the network the service name is the router's VIP, served by the same listener.
        Assert.Contains("canary", d.Ok("run", "--rm", "--network", "hwnet", "bb", "wget", "-qO-", "http://hw/"));
        var ls = d.Ok("router", "ls");
        Assert.Contains("/http", ls);
        Assert.Contains("hw-canary:80=100@canary", ls);

        d.Ok("router", "rm", "hw");
        Assert.ThrowsAny<HttpRequestException>(() => Body(new CountingClient().Http, url));
        d.Ok("rm", "-f", "hw-stable", "hw-canary");
        d.Ok("network", "rm", "hwnet");
    }

    [Fact]
    public void Header_routes_send_matching_requests_to_their_version_even_at_weight_0()
    {
        d.Ok("network", "create", "hhnet");
        Backend("hh-stable", "hhnet", "stable");
        Backend("hh-canary", "hhnet", "canary");
        d.Ok("router", "create", "hh", "--mode", "http", "--network", "hhnet", "--port", "80", "--publish", "18391",
            "--backend", "hh-stable:80=100,group=stable", "--backend", "hh-canary:80=0,group=canary",
            "--header-route", "header=X-Canary,value=always,group=canary");
        using var client = new CountingClient();
        const string url = "http://127.0.0.1:18391/";

        Assert.Equal(new Dictionary<string, int> { ["canary"] = 50 }, Spread(client.Http, url, 50, ("X-Canary", "always")));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 50 }, Spread(client.Http, url, 50, ("X-Canary", "sometimes")));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 50 }, Spread(client.Http, url, 50));

        // Replaced at run time: a regex on User-Agent, as Argo's setHeaderRoute headerValue.regex.
        d.Ok("router", "set", "hh", "--header-route", "header=User-Agent,match=regex,value=^Mobile-(iOS|Android)/,group=canary");
        Assert.Equal(new Dictionary<string, int> { ["canary"] = 30 }, Spread(client.Http, url, 30, ("User-Agent", "Mobile-iOS/17")));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 30 }, Spread(client.Http, url, 30, ("X-Canary", "always")));
        var inspect = d.Ok("router", "inspect", "-f", "{{json .Http.HeaderRoutes}}", "hh");
        Assert.Contains("Mobile-(iOS|Android)", inspect);

        d.Ok("router", "set", "hh", "--clear-header-routes");
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 30 }, Spread(client.Http, url, 30, ("User-Agent", "Mobile-iOS/17")));

        d.Ok("router", "rm", "hh");
        d.Ok("rm", "-f", "hh-stable", "hh-canary");
        d.Ok("network", "rm", "hhnet");
    }

    [Fact]
    public void Metrics_per_version_are_served_by_the_api_the_cli_and_prometheus()
    {
        d.Ok("network", "create", "hmnet");
        Backend("hm-good", "hmnet", "good", 200);
        Backend("hm-bad", "hmnet", "bad", 500);
        d.Ok("router", "create", "hm", "--mode", "http", "--network", "hmnet", "--port", "80", "--publish", "18392",
            "--backend", "hm-good:80=50,group=stable", "--backend", "hm-bad:80=50,group=canary");
        using var client = new CountingClient(4);
        var bodies = Spread(client.Http, "http://127.0.0.1:18392/cgi-bin/app", 400);
        Assert.Equal(400, bodies.GetValueOrDefault("good") + bodies.GetValueOrDefault("bad"));

        using var report = JsonDocument.Parse(d.Ok("router", "metrics", "hm", "--window", "5m", "--format", "json"));
        var versions = report.RootElement.GetProperty("Versions").EnumerateArray().ToDictionary(v => v.GetProperty("Version").GetString()!);
        var stable = versions["stable"];
        var canary = versions["canary"];
        Assert.Equal(bodies["good"], stable.GetProperty("Requests").GetInt64());
        Assert.Equal(bodies["bad"], canary.GetProperty("Requests").GetInt64());
        Assert.Equal(1.0, stable.GetProperty("SuccessRate").GetDouble());
        Assert.Equal(1.0, canary.GetProperty("ErrorRate").GetDouble());
        Assert.Equal(bodies["bad"], canary.GetProperty("StatusClasses").GetProperty("5xx").GetInt64());
        Assert.Equal("shop", stable.GetProperty("Service").GetString());
        foreach (var p in new[] { "P50Ms", "P95Ms", "P99Ms" }) Assert.True(stable.GetProperty(p).GetDouble() > 0, p);

        var table = d.Ok("router", "metrics", "hm");
        Assert.Contains("SUCCESS", table);
        Assert.Contains("100.00%", table);
        // inspect carries the last minute's metrics of an http router.
        Assert.Contains("\"canary\"", d.Ok("router", "inspect", "-f", "{{json .Metrics}}", "hm"));

        var exposition = new HttpClient().GetStringAsync($"http://127.0.0.1:{HttpRouterFixture.MetricsPort}/metrics").GetAwaiter().GetResult();
        var lines = exposition.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("gitops_router_requests_total{", StringComparison.Ordinal) && l.Contains("router=\"hm\"")
                                    && l.Contains("version=\"canary\"") && l.Contains("status_class=\"5xx\"") && l.EndsWith($" {bodies["bad"]}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("gitops_router_request_duration_seconds_bucket{", StringComparison.Ordinal) && l.Contains("version=\"stable\""));

        var tcp = d.Cli("router", "metrics", "nope");
        Assert.NotEqual(0, tcp.ExitCode);
        Assert.Contains("No such router", tcp.Stderr);
        d.Ok("router", "rm", "hm");
        d.Ok("rm", "-f", "hm-good", "hm-bad");
        d.Ok("network", "rm", "hmnet");
    }

    [Fact]
    public void Drain_sends_new_requests_elsewhere_and_waits_for_the_one_in_flight()
    {
        d.Ok("network", "create", "hdnet");
        Backend("hd-a", "hdnet", "a");
        Backend("hd-b", "hdnet", "b");
        d.Ok("router", "create", "hd", "--mode", "http", "--network", "hdnet", "--port", "80", "--publish", "18393",
            "--backend", "hd-a:80=1,group=a", "--backend", "hd-b:80=1,group=b", "--header-route", "header=X-Pin,value=a,group=a");
        using var slowClient = new CountingClient();
        var slow = Task.Run(() => Body(slowClient.Http, "http://127.0.0.1:18393/cgi-bin/slow", ("X-Pin", "a")));
        Gitops.Eventually(() => d.Cli("exec", "hd-a", "test", "-f", "/tmp/started").ExitCode == 0, TimeSpan.FromSeconds(20), "the slow request to reach hd-a");

        var drain = Task.Run(() => d.Cli("router", "drain", "hd", "hd-a", "--timeout", "50s"));
        // The router's config changes a moment before its table does: wait for the traffic, not for inspect.
        using var client = new CountingClient();
        Gitops.Eventually(() => Body(client.Http, "http://127.0.0.1:18393/", ("X-Pin", "a")) == "b", TimeSpan.FromSeconds(20), "hd-a to leave the router");
        Assert.DoesNotContain("hd-a", d.Ok("router", "inspect", "-f", "{{json .Backends}}", "hd"));
        // Even pinned by header, new requests go to the backend that is left.
        Assert.Equal(new Dictionary<string, int> { ["b"] = 40 }, Spread(client.Http, "http://127.0.0.1:18393/", 40, ("X-Pin", "a")));
        Assert.False(drain.IsCompleted, "drain returned while a request was in flight");

        d.Ok("exec", "hd-a", "touch", "/tmp/go");
        Assert.Equal("a", slow.GetAwaiter().GetResult()); // the request in flight finished on its backend
        var result = drain.GetAwaiter().GetResult();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("hd-a drained from hd", result.Stdout);

        d.Ok("router", "rm", "hd");
        d.Ok("rm", "-f", "hd-a", "hd-b");
        d.Ok("network", "rm", "hdnet");
    }

    [Fact]
    public void Kernel_drain_waits_for_an_established_connection_or_the_timeout()
    {
        d.Ok("network", "create", "kdnet");
        foreach (var name in new[] { "kd-old", "kd-new" })
            d.Ok("run", "-d", "--name", name, "--network", "kdnet", "bb", "nc", "-ll", "-p", "7", "-e", "sh", "-c", $"echo {name}; exec cat");
        d.Ok("router", "create", "kd", "--network", "kdnet", "--port", "7", "--publish", "18394", "--backend", "kd-old:7=1", "--backend", "kd-new:7=0");
        var client = new TcpClient();
        Gitops.Eventually(() =>
        {
            try { client.Connect("127.0.0.1", 18394); return true; }
            catch (SocketException) { client.Dispose(); client = new TcpClient(); return false; }
        }, TimeSpan.FromSeconds(10), "the echo backend");
        var stream = client.GetStream();
        stream.ReadTimeout = 10_000;
        var reader = new StreamReader(stream);
        Assert.Equal("kd-old", reader.ReadLine());

        // The deadline comes first while the connection is open: the backend has left, the connection stays.
        var timedOut = d.Ok("router", "drain", "kd", "kd-old", "--timeout", "1s");
        Assert.Contains("1 connection(s) still open", timedOut);
        stream.Write("still here\n"u8);
        Assert.Equal("still here", reader.ReadLine());
        d.Ok("router", "set", "kd", "--backend", "kd-old:7=1", "--backend", "kd-new:7=1");

        var drain = Task.Run(() => d.Cli("router", "drain", "kd", "kd-old", "--timeout", "50s"));
        // The config changes a moment before nft's rules do: wait for the traffic, not for inspect. Probes
        // that still reach kd-old are closed at once, so the drain does not wait for them.
        static string Fresh()
        {
            using var fresh = new TcpClient("127.0.0.1", 18394);
            fresh.GetStream().ReadTimeout = 10_000;
            return new StreamReader(fresh.GetStream()).ReadLine() ?? "";
        }
        // kd-old leaves the config first, then nft's rules while the drain's call returns; one answer from kd-new
        // proves nothing while both still share the traffic (one in two), so wait for several in a row.
        Gitops.Eventually(() => !d.Ok("router", "inspect", "-f", "{{json .Backends}}", "kd").Contains("kd-old", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "kd-old to leave the router's config");
        Gitops.Eventually(() => Enumerable.Range(0, 8).All(_ => Fresh() == "kd-new"), TimeSpan.FromSeconds(20), "kd-old to leave the router's rules");
        Assert.All(Enumerable.Range(0, 20).Select(_ => Fresh()), name => Assert.Equal("kd-new", name));
        Assert.False(drain.IsCompleted, "drain returned while a connection was established");
        client.Dispose(); // the client ends its connection; the backend's cat sees EOF and closes too
        var result = drain.GetAwaiter().GetResult();
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("kd-old drained from kd", result.Stdout);

        d.Ok("router", "rm", "kd");
        d.Ok("rm", "-f", "kd-old", "kd-new");
        d.Ok("network", "rm", "kdnet");
    }
    [Fact]
    public void Host_and_path_rules_pick_the_service_and_tls_comes_from_a_secret()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var req = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=shop.example", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var crt = Path.Combine(d.Dir, "tls.crt");
        var keyFile = Path.Combine(d.Dir, "tls.key");
        File.WriteAllText(crt, cert.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        d.Ok("secret", "create", "shop-tls", "--from-file", $"tls.crt={crt}", "--from-file", $"tls.key={keyFile}");
        File.Delete(keyFile);

        d.Ok("network", "create", "hinet");
        Backend("hi-shop", "hinet", "shop-page", service: "shop");
        Backend("hi-api", "hinet", "api-page", service: "api");
        d.Ok("router", "create", "hi", "--mode", "http", "--network", "hinet", "--port", "80", "--publish", "18395",
            "--backend", "hi-shop:80", "--backend", "hi-api:80",
            "--rule", "host=shop.example,path=/,service=shop", "--rule", "host=shop.example,path=/cgi-bin,service=api",
            "--tls", "secret=shop-tls,host=shop.example", "--tls-port", "443", "--publish-tls", "18396");

        using var client = new CountingClient();
        Assert.Equal("shop-page", Body(client.Http, "http://127.0.0.1:18395/", ("Host", "shop.example")));
        Assert.Equal("api-page", Body(client.Http, "http://127.0.0.1:18395/cgi-bin/app", ("Host", "shop.example")));
        using (var other = client.Http.Send(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:18395/") { Headers = { Host = "other.example" } }))
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);

        // TLS on the published TLS port: the certificate chosen by SNI, then the same rules.
        string? served = null;
        var tlsHandler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(IPAddress.Loopback, 18396, ct);
                return new NetworkStream(s, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => { served = c?.Subject; return true; } },
        };
        using var https = new HttpClient(tlsHandler);
        Assert.Equal("api-page", Body(https, "https://shop.example/cgi-bin/app"));
        Assert.Equal("CN=shop.example", served);

        d.Ok("router", "rm", "hi");
        d.Ok("rm", "-f", "hi-shop", "hi-api");
        d.Ok("network", "rm", "hinet");
        d.Ok("secret", "rm", "shop-tls");
    }

    [Fact]
    public void Bad_http_router_input_is_collected_and_named()
    {
        d.Ok("network", "create", "hbnet");
        var r = d.Cli("router", "create", "hb", "--mode", "http", "--network", "hbnet", "--port", "80",
            "--header-route", "header=X-A,match=glob,value=a,group=canary", "--header-route", "header=X-B,match=regex,value=(,group=canary",
            "--rule", "path=nope,type=Fuzzy,service=s", "--tls", "secret=ghost", "--tls-port", "443");
        Assert.NotEqual(0, r.ExitCode);
        foreach (var part in new[] { "headerRoutes[0]", "glob", "headerRoutes[1]", "rules[0]", "must start with /", "Fuzzy", "tls[0]: no such secret: ghost" })
            Assert.Contains(part, r.Stderr);
        Assert.Contains("need --mode http", d.Cli("router", "create", "hb", "--network", "hbnet", "--port", "80", "--header-route", "header=X,value=1,group=c").Stderr);
        d.Ok("router", "create", "hk", "--network", "hbnet", "--port", "80");
        Assert.Contains("request metrics need an http router", d.Cli("router", "metrics", "hk").Stderr);
        Assert.Contains("--weight[0]", d.Cli("router", "set", "hk", "--weight", "x").Stderr);
        d.Ok("router", "rm", "hk");
        d.Ok("network", "rm", "hbnet");
    }
    [Fact]
    public void An_http_router_listens_again_with_its_weights_and_routes_after_a_daemon_crash()
    {
        d.Ok("network", "create", "hrnet");
        Backend("hr-stable", "hrnet", "stable");
        Backend("hr-canary", "hrnet", "canary");
        d.Ok("router", "create", "hr", "--mode", "http", "--network", "hrnet", "--port", "80", "--publish", "18397",
            "--backend", "hr-stable:80=0,group=stable", "--backend", "hr-canary:80=1,group=canary",
            "--header-route", "header=X-Stable,value=1,group=stable");
        const string url = "http://127.0.0.1:18397/";
        using (var before = new CountingClient()) Assert.Equal("canary", Body(before.Http, url));

        d.KillDaemon();
        d.StartDaemon();
        using var client = new CountingClient();
        Assert.Equal(new Dictionary<string, int> { ["canary"] = 20 }, Spread(client.Http, url, 20));
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 20 }, Spread(client.Http, url, 20, ("X-Stable", "1")));
        // The restarted listener takes run-time changes as before.
        d.Ok("router", "set", "hr", "--weight", "hr-stable=1", "--weight", "hr-canary=0");
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 20 }, Spread(client.Http, url, 20));

        d.Ok("router", "rm", "hr");
        d.Ok("rm", "-f", "hr-stable", "hr-canary");
        d.Ok("network", "rm", "hrnet");
    }
}
