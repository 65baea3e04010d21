using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Hardening;

/// <summary>
/// Attacks on the daemon through its own API and webhook listener: each must be refused with a 4xx that says why,
/// quickly and without the daemon holding what the attacker sent, and the daemon must answer afterwards.
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed class DaemonHardeningTests(HardeningFixture d)
{
    const long FiftyMegabytes = 50L << 20;

    void StillAnswers() => d.Ok("version");

    [Fact]
    public void A_partial_application_is_refused_and_nothing_is_saved()
    {
        var apps = Path.Combine(d.Root, "reconciler", "apps.json");
        var before = File.Exists(apps) ? File.ReadAllText(apps) : null;
        foreach (var body in new[]
                 {
                     """{"name":"half","source":{"kind":"Git","repo":"/srv/nope"}}""",
                     """{"name":"half","source":null,"paths":["."],"schedule":{"interval":"00:00:30","jitter":0.1},"policy":{"prune":false,"pruneVolumes":false,"selfHeal":false,"drift":"Report"}}""",
                     """{"name":"half","source":{"kind":"Git","repo":"/srv/nope"},"paths":["."],"schedule":{"interval":"00:00:00.001","jitter":7},"policy":{"prune":false,"pruneVolumes":false,"selfHeal":false,"drift":"Report"}}""",
                     """{"name":"Bad Name","source":{"kind":"Git","repo":""},"paths":["/etc"],"schedule":{"interval":"00:00:30","jitter":0.1},"policy":{"prune":false,"pruneVolumes":false,"selfHeal":false,"drift":"Report"}}""",
                     "", "null", "[]", """{"name":5}""",
                 })
        {
            var (status, text) = Api.Post(d, "apps", body);
            Assert.True(status == 400, $"{body} -> {status} {text}");
            Assert.Contains("message", text);
        }
        var (originStatus, originText) = Api.Post(d, "apps?origin=config",
            """{"name":"claims-config","source":{"kind":"Local","repo":"/tmp"},"paths":["."],"schedule":{"interval":"00:00:30","jitter":0.1},"policy":{"prune":false,"pruneVolumes":false,"selfHeal":false,"drift":"Report"}}""");
        Assert.True(originStatus == 400, originText);
        Assert.Equal(before, File.Exists(apps) ? File.ReadAllText(apps) : null);
        Assert.DoesNotContain("half", d.Ok("app", "ls"));
    }

    [Fact]
    public void A_saved_application_that_cannot_load_is_reported_and_skipped_at_start()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-survivor"));
        repo.Commit("v1", ("compose.yaml", "services:\n  s:\n    image: bb\n    command: [\"sleep\", \"3600\"]\n"));
        d.Ok("app", "add", "survivor", "--repo", repo.Dir, "--branch", "main", "--interval", "1h");
        // What the daemon saved before this fix for a partial POST /apps: a record it then threw on at every start.
        var apps = Path.Combine(d.Root, "reconciler", "apps.json");
        var list = (System.Text.Json.Nodes.JsonArray)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(apps))!;
        list.Add(System.Text.Json.Nodes.JsonNode.Parse("""{"spec":{"name":"broken","source":{"kind":"Git","repo":"/srv/nope"}},"origin":"cli"}"""));
        File.WriteAllText(apps, list.ToJsonString());
        d.KillDaemon();
        d.StartDaemon();
        var status = d.Ok("status");
        Assert.Contains("broken", status);
        Assert.Contains("Invalid", status);
        Gitops.Eventually(() => d.Ok("ps").Contains("survivor-s-1"), DaemonFixture.Timeout, "the healthy app to run");
        Assert.Contains("app.unloadable", File.ReadAllText(d.DaemonLog));
        // The record is kept (nothing lost) until it is removed.
        Assert.Contains("broken", File.ReadAllText(apps));
        d.Ok("app", "rm", "broken");
        Assert.DoesNotContain("broken", File.ReadAllText(apps));
        Assert.DoesNotContain("broken", d.Ok("app", "ls"));
        d.Ok("app", "rm", "--remove-resources", "survivor");
    }

    public static TheoryData<string, string> JsonEndpoints => new()
    {
        { "POST", "/containers/create" }, { "POST", "/apps" }, { "POST", "/volumes/create" }, { "POST", "/secrets/create" },
        { "POST", "/configs/create" }, { "POST", "/networks/create" }, { "POST", "/routers" }, { "POST", "/auth" },
        { "POST", "/containers/nope/exec" }, { "POST", "/commit?container=nope" }, { "PUT", "/routers/nope/backends" },
    };

    [Theory]
    [MemberData(nameof(JsonEndpoints))]
    public void A_50_MB_body_is_refused_with_413_without_being_held(string method, string path)
    {
        var peak = RawHttp.PeakRss(d.Pid);
        // Declared up front: refused before a byte of the body is read.
        var declared = RawHttp.Send(RawHttp.Unix(d.Socket), method, path, FiftyMegabytes, chunked: false);
        Assert.True(declared.Status == 413, $"{method} {path}: {declared.Status} {declared.Body}");
        Assert.Contains("request body too large", declared.Body);
        Assert.Contains("8 MiB", declared.Body);
        // Chunked, with no length to refuse on: reading stops at the limit.
        var streamed = RawHttp.Send(RawHttp.Unix(d.Socket), method, path, FiftyMegabytes, chunked: true);
        Assert.True(streamed.Status == 413, $"{method} {path} (chunked): {streamed.Status} {streamed.Body}");
        Assert.True(streamed.BytesSent < FiftyMegabytes, $"the daemon read all {streamed.BytesSent} bytes before answering");
        // The peak resident set grew by far less than one body (the limit is 8 MiB; a buffered body would be 50).
        var growth = RawHttp.PeakRss(d.Pid) - peak;
        Assert.True(growth < 40L << 20, $"peak RSS grew by {growth >> 20} MiB");
        StillAnswers();
    }

    static (string, string)[] GitHubHeaders(string? signature) =>
        signature is null ? [("X-GitHub-Event", "push")] : [("X-GitHub-Event", "push"), ("X-Hub-Signature-256", signature)];

    [Fact]
    public void A_1_GB_webhook_upload_is_refused_quickly_and_never_held()
    {
        const long OneGigabyte = 1L << 30;
        var peak = RawHttp.PeakRss(d.Pid);
        // Unsigned: refused on its headers, before the body.
        var unsigned = RawHttp.Send(RawHttp.Tcp(HardeningFixture.HookPort), "POST", "/hooks", OneGigabyte, chunked: true, GitHubHeaders(null));
        Assert.Equal(401, unsigned.Status);
        Assert.Contains("missing X-Hub-Signature-256", unsigned.Body);
        Assert.True(unsigned.BytesSent < 100L << 20, $"{unsigned.BytesSent} bytes went out before the 401");
        var forged = "sha256=" + new string('a', 64);
        // A declared gigabyte with a signature: 413 before reading.
        var declared = RawHttp.Send(RawHttp.Tcp(HardeningFixture.HookPort), "POST", "/hooks", OneGigabyte, chunked: false, GitHubHeaders(forged));
        Assert.Equal(413, declared.Status);
        Assert.Contains("25 MiB", declared.Body);
        // Streamed without a length: the listener reads 25 MiB, then stops and answers 413.
        var streamed = RawHttp.Send(RawHttp.Tcp(HardeningFixture.HookPort), "POST", "/hooks", OneGigabyte, chunked: true, GitHubHeaders(forged));
        Assert.Equal(413, streamed.Status);
        Assert.True(streamed.BytesSent < 200L << 20, $"{streamed.BytesSent >> 20} MiB went out before the 413");
        var growth = RawHttp.PeakRss(d.Pid) - peak;
        Assert.True(growth < 80L << 20, $"peak RSS grew by {growth >> 20} MiB");

        // A real delivery still works: signed, small.
        var payload = """{"ref":"refs/heads/main","after":"0000000000000000000000000000000000000000","repository":{"clone_url":"/srv/none"}}""";
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(HardeningFixture.HookSecret), Encoding.UTF8.GetBytes(payload)));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HardeningFixture.HookPort}/") };
        using var m = new HttpRequestMessage(HttpMethod.Post, "hooks") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        m.Headers.Add("X-GitHub-Event", "push");
        m.Headers.Add("X-Hub-Signature-256", signature);
        Assert.Equal(202, (int)http.Send(m).StatusCode);
    }

    [Fact]
    public void A_40000_entry_environment_is_accepted_within_execve_bounds_and_a_larger_one_refused()
    {
        var body = CreateBody(["sh", "-c", "env | grep -c ^VAR_"], Enumerable.Range(0, 40_000).Select(i => $"VAR_{i:D5}=value-{i}"));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var (status, text) = Api.Post(d, "containers/create?name=bigenv", body);
        var took = sw.Elapsed;
        Assert.True(status == 201, $"{status} {text}");
        Console.WriteLine($"create with 40,000 variables: {took.TotalMilliseconds:0} ms");
        d.Ok("start", "bigenv");
        Assert.Equal("0", d.Ok("wait", "bigenv"));
        Assert.Equal("40000", d.Ok("logs", "bigenv"));
        d.Ok("rm", "bigenv");

        // 200,000 entries pass ARG_MAX: refused at create, naming the bound, instead of E2BIG at start.
        var huge = CreateBody(["true"], Enumerable.Range(0, 200_000).Select(i => $"VAR_{i:D6}=value"));
        var (hs, ht) = Api.Post(d, "containers/create", huge);
        Assert.True(hs == 400, $"{hs} {ht}");
        Assert.Contains("ARG_MAX", ht);
        var (ls, lt) = Api.Post(d, "containers/create", CreateBody(["true"], ["BIG=" + new string('x', 200_000)]));
        Assert.True(ls == 400, $"{ls} {lt}");
        Assert.Contains("MAX_ARG_STRLEN", lt);
        StillAnswers();
    }

    static string CreateBody(IEnumerable<string> cmd, IEnumerable<string> env) => new System.Text.Json.Nodes.JsonObject
    {
        ["Image"] = "bb",
        ["Cmd"] = new System.Text.Json.Nodes.JsonArray(cmd.Select(c => (System.Text.Json.Nodes.JsonNode?)c).ToArray()),
        ["Env"] = new System.Text.Json.Nodes.JsonArray(env.Select(e => (System.Text.Json.Nodes.JsonNode?)e).ToArray()),
    }.ToJsonString();

    public static TheoryData<string, string, string, string> MalformedInputs => new()
    {
        { "GET", "/containers/json?filters=" + Uri.EscapeDataString("""{"label":"x"}"""), "", "must be a list of strings" },
        { "GET", "/containers/json?filters=" + Uri.EscapeDataString("""{"label":[1]}"""), "", "must be strings" },
        { "GET", "/containers/json?filters=" + Uri.EscapeDataString("""["label"]"""), "", "expected a JSON object" },
        { "GET", "/volumes?filters=" + Uri.EscapeDataString("""{"label":{"a":1},"name":7}"""), "", "must be a list of strings" },
        { "POST", "/images/import?repo=empty", "", "cannot import" },
        { "POST", "/volumes/create", $$"""{"Name":"{{new string('v', 300)}}"}""", "at most 255 characters" },
        { "POST", "/networks/create", $$"""{"Name":"{{new string('n', 300)}}"}""", "at most 255 characters" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"HostConfig":{"RestartPolicy":{"Name":"sometimes"}}}""", "invalid restart policy" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"HostConfig":{"RestartPolicy":{"Name":"always","MaximumRetryCount":3}}}""", "only be used with 'on-failure'" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"HostConfig":{"CapAdd":["NET_NOPE"]}}""", "unknown capability" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"HostConfig":{"CapDrop":["99"]}}""", "unknown capability" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"300.1.1.1","HostPort":"8080"}]}}}""", "invalid host IP" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"99999"}]}}}""", "invalid host port" },
        { "POST", "/containers/create", $$"""{"Image":"bb","Cmd":["true"],"Hostname":"{{new string('h', 100)}}"}""", "HOST_NAME_MAX" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"Env":null}""", "Env" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"HostConfig":null}""", "HostConfig" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"Env":["A=1",null]}""", "Env[1] is null" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"Labels":{"a":null}}""", "null value" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"HostConfig":{"Memory":"lots"}}""", "invalid JSON" },
        { "POST", "/containers/create", """{"Image":"bb","Cmd":["true"],"HostConfig":{"LogMaxFiles":0}}""", "max-file" },
        { "POST", "/containers/create", "{\"Image\":\"bb\",\"Cmd\":[\"true\"],\"Labels\":{\"big\":\"" + new string('l', 300_000) + "\"}}", "256 KiB" },
        { "POST", "/containers/create", "", "request body is empty" },
        { "POST", "/secrets/create", """{"Name":"s","Items":{"k":null}}""", "has no value" },
    };

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public void A_malformed_input_is_a_4xx_with_a_message(string method, string path, string body, string expected)
    {
        var (status, text) = Send(method, path, body);
        Assert.True(status is >= 400 and < 500, $"{method} {path} -> {status} {text}");
        Assert.Contains(expected, text);
        StillAnswers();
    }

    [Fact]
    public void A_pids_limit_of_1_runs_as_with_docker()
    {
        var (status, text) = Api.Post(d, "containers/create?name=onepid", """{"Image":"bb","Cmd":["echo","one"],"HostConfig":{"PidsLimit":1}}""");
        Assert.True(status == 201, $"{status} {text}");
        d.Ok("start", "onepid");
        Assert.Equal("0", d.Ok("wait", "onepid"));
        Assert.Equal("one", d.Ok("logs", "onepid"));
        d.Ok("rm", "onepid");
    }

    (int Status, string Body) Send(string method, string path, string body)
    {
        using var http = Client();
        using var m = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        if (method is "POST" or "PUT") m.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var r = http.Send(m);
        return ((int)r.StatusCode, r.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }

    HttpClient Client() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(d.Socket), ct);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = new Uri("http://gitops/"), Timeout = TimeSpan.FromSeconds(60) };
}
