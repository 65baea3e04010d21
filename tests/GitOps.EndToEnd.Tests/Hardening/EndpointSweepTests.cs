using System.Text;
using System.Text.RegularExpressions;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Hardening;

/// <summary>
/// Every route the daemon maps (read from cli/GitOps.Cli/Daemon/*Endpoints.cs, so a new endpoint is swept too), called
/// with malformed bodies and parameters: wrong JSON types, empty and null bodies, huge strings, negative numbers,
/// unknown and oversized path values. None may answer 500, and the daemon must answer after each. (Registry
/// addresses in the bodies point at a closed loopback port, so nothing leaves the machine.)
/// </summary>
[Collection(HardeningCollection.Name)]
public sealed partial class EndpointSweepTests(HardeningFixture d)
{
    static readonly string Huge = new('z', 300_000);

    static readonly string[] Bodies =
    [
        "", "null", "[]", "\"text\"", "-1", "{", "{\"a\":",
        """{"Name":123,"Image":[],"Env":"x","Labels":[1],"HostConfig":7,"Cmd":{},"Data":5,"Items":"x","Container":false,"Network":1,"Backends":{}}""",
        """{"Name":null,"Image":null,"Env":null,"Labels":null,"HostConfig":null,"Cmd":null,"Container":null,"Network":null,"Backends":null,"name":null,"source":null}""",
        $$"""{"Name":"{{Huge}}","Image":"{{Huge}}","Container":"{{Huge}}","Network":"{{Huge}}","Hostname":"{{Huge}}","name":"{{Huge}}","Cmd":["{{Huge}}"],"Username":"{{Huge}}","ServerAddress":"{{Huge}}"}""",
        """{"Name":"neg","Image":"bb","Port":-5,"HostPort":-1,"Weight":-3,"StopTimeout":-9,"HostConfig":{"Memory":-1,"NanoCpus":-2,"CpuShares":-3,"PidsLimit":-4,"LogMaxSize":-7,"LogMaxFiles":-1,"MemorySwap":-9},"Subnet":"10.0.0.0/-1","ServerAddress":"127.0.0.1:9"}""",
        """{"Name":"x","Data":"!!notbase64","Items":{"":""},"Driver":"nope","DriverOpts":{"type":"nope"},"Labels":{"":"x"}}""",
        """{"name":"sweep","source":{"kind":"Nope","repo":"x"},"paths":[null],"schedule":{"interval":"-00:00:01","jitter":-1},"policy":{"drift":"Nope"}}""",
    ];

    static readonly string[] Queries =
    [
        "", "?filters=%7B%22label%22%3A5%7D", "?filters=not-json", "?t=-5&signal=SIGNOPE&tail=-3&since=yesterday&h=-1&w=99999999999",
        // Long, but under Kestrel's 8 KiB request line (a longer one is refused with 414 before any handler runs).
        "?name=" + new string('q', 1500) + "&repo=" + new string('r', 1500) + "&tag=%00", "?all=maybe&limit=-1&size=x&force=2&v=x&origin=config",
    ];

    public static IEnumerable<object[]> Routes()
    {
        var dir = Path.Combine(Gitops.RepoRoot, "cli", "GitOps.Cli", "Daemon");
        var routes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(dir, "*Endpoints.cs"))
            foreach (Match m in MapCall().Matches(File.ReadAllText(file)))
            {
                var method = m.Groups[1].Value.ToUpperInvariant();
                var template = m.Groups[3].Value;
                if (m.Groups[2].Success) { routes.Add($"{method} /secrets{template}"); routes.Add($"{method} /configs{template}"); }
                else routes.Add($"{method} {template}");
            }
        Assert.True(routes.Count > 60, $"only {routes.Count} routes found in {dir}");
        return routes.Select(r => new object[] { r });
    }

    [GeneratedRegex(@"app\.Map(Get|Post|Put|Delete)\((prefix \+ )?""([^""]*)""")]
    private static partial Regex MapCall();

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task No_malformed_request_gets_a_500(string route)
    {
        var (method, template) = (route.Split(' ')[0], route.Split(' ')[1]);
        // Streams that never end by themselves (events, followed logs) answer their headers and are then dropped.
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(d.Socket), ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        }) { BaseAddress = new Uri("http://gitops/"), Timeout = TimeSpan.FromSeconds(90) };
        var failures = new List<string>();
        foreach (var value in new[] { "nope-404", new string('p', 3000), "..%2F..%2Fetc", "%00" })
        {
            var path = Regex.Replace(template, @"\{\*\*?\w+\}", value).TrimStart('/');
            foreach (var query in Queries)
                foreach (var body in method is "POST" or "PUT" ? Bodies : [""])
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path + query);
                    if (method is "POST" or "PUT") request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(template == "/events" ? 3 : 60));
                    try
                    {
                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                        var status = (int)response.StatusCode;
                        // 502/504 name an upstream (a registry) the daemon could not reach: not the daemon's failure.
                        if (status == 500)
                        {
                            var text = await ReadSome(response);
                            failures.Add($"{method} /{Clip(path + query)} body {Clip(body)} -> {status} {text}");
                        }
                    }
                    // The event stream is a long poll: it may hold its headers until an event comes.
                    catch (OperationCanceledException) when (template == "/events") { }
                    catch (OperationCanceledException) { failures.Add($"{method} /{Clip(path + query)} body {Clip(body)}: no answer in 60 s"); }
                    catch (HttpRequestException e)
                    {
                        // Kestrel refuses an encoded NUL in the path before any endpoint runs (400) and closes the
                        // connection without reading the body: a large body then fails on the client's side. The
                        // daemon did answer; that is what the bodiless retry proves.
                        if (!(value == "%00" && await RejectedByTheServer(http, method, path + query)))
                            failures.Add($"{method} /{Clip(path + query)} body {Clip(body)}: {e.Message}");
                    }
                }
        }
        d.Ok("version");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    static async Task<bool> RejectedByTheServer(HttpClient http, string method, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), pathAndQuery);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (int)response.StatusCode == 400;
    }

    static async Task<string> ReadSome(HttpResponseMessage r)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { return Clip(await r.Content.ReadAsStringAsync(cts.Token)); }
        catch (OperationCanceledException) { return "(body not read)"; }
    }

    static string Clip(string s) => s.Length <= 120 ? s : s[..120] + "…";
}
