using System.Net;
using System.Net.Sockets;
using System.Text;
using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Analysis.Providers;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>The web and prometheus providers against a real HTTP server on loopback that answers as the test says.</summary>
public sealed class HttpProviderTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClients _clients = new();
    private readonly string _base;
    private readonly List<string> _requests = [];

    public HttpProviderTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _base = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_base);
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Close();
        _clients.Dispose();
    }

    /// <summary>Serves one request with <paramref name="status"/> and <paramref name="body"/>, while the provider measures.</summary>
    private async Task<Measurement> Measure(IMetricProvider provider, AnalysisMetric metric, int status, string body)
    {
        var serve = Task.Run(async () =>
        {
            var context = await _listener.GetContextAsync();
            _requests.Add(context.Request.Url!.PathAndQuery);
            context.Response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        });
        var errors = new List<string>();
        var resolved = MetricResolver.Resolve(metric, new Dictionary<string, string>(), errors);
        Assert.Empty(errors);
        var run = new AnalysisRun { Name = "r", Kind = AnalysisRunKind.Background, Version = "v2" };
        var measurement = await provider.RunAsync(new MeasurementContext(new AnalysisTarget("app", "web", "v2", "v1"), run, 0, TimeProvider.System), resolved!, CancellationToken.None);
        await serve.WaitAsync(TimeSpan.FromSeconds(30));
        return measurement;
    }

    private AnalysisMetric Web(string successCondition, string? jsonPath = null) =>
        new("web", null, null, null, successCondition, null, null, null, null, null,
            new MetricProvider(MetricProviderKind.Web, Web: new WebMetric(_base + "status", "GET", [], null, null, jsonPath, 10, false)));

    private AnalysisMetric Prometheus(string successCondition) =>
        new("prom", null, null, null, successCondition, null, null, null, null, null,
            new MetricProvider(MetricProviderKind.Prometheus, Prometheus: new PrometheusMetric(_base.TrimEnd('/'), "sum(rate(ok[1m]))", 10, [], false)));

    [Fact]
    public async Task Web_metric_reads_the_json_path_and_evaluates_the_condition()
    {
        var m = await Measure(new WebProvider(_clients), Web("result == 'It worked!'", "{$.message}"), 200, """{"message":"It worked!","n":3}""");
        Assert.Equal(AnalysisPhase.Successful, m.Phase);
        // Values are shown JSON-like, so a string and a number that looks the same stay apart.
        Assert.Equal("\"It worked!\"", m.Value);
        Assert.Contains("/status", _requests);

        var failed = await Measure(new WebProvider(_clients), Web("result.n > 5", "{$}"), 200, """{"message":"x","n":3}""");
        Assert.Equal(AnalysisPhase.Failed, failed.Phase);
    }

    [Fact]
    public async Task Web_metric_answering_5xx_is_an_error_measurement()
    {
        var m = await Measure(new WebProvider(_clients), Web("result == true"), 503, "busy");
        Assert.Equal(AnalysisPhase.Error, m.Phase);
        Assert.Contains("503", m.Message);
    }

    [Fact]
    public async Task Prometheus_vector_becomes_a_list_of_values()
    {
        const string answer = """
            {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1767268800,"0.97"]}]}}
            """;
        var m = await Measure(new PrometheusProvider(_clients), Prometheus("result[0] >= 0.95"), 200, answer);
        Assert.Equal(AnalysisPhase.Successful, m.Phase);
        Assert.Equal("[0.97]", m.Value);
        Assert.Contains("/api/v1/query", _requests);
    }

    [Fact]
    public async Task Prometheus_error_answer_is_an_error_measurement_with_its_message()
    {
        const string answer = """{"status":"error","errorType":"bad_data","error":"parse error at char 4"}""";
        var m = await Measure(new PrometheusProvider(_clients), Prometheus("result[0] >= 0.95"), 400, answer);
        Assert.Equal(AnalysisPhase.Error, m.Phase);
        Assert.Contains("parse error", m.Message);
    }
}
