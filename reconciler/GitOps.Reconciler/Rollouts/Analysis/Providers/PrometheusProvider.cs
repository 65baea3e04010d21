using System.Globalization;
using System.Text.Json;
using GitOps.Reconciler.Rollouts.Analysis.Expressions;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// Argo Rollouts' <c>prometheus</c> provider: an instant query against <c>{address}/api/v1/query</c> within the timeout
/// (default 30 s). A scalar result is a number (<c>result &gt;= 0.95</c>); a vector or matrix is the list of its sample
/// values (<c>result[0] &gt;= 0.95</c>, <c>len(result) == 0</c>); the measured value is shown as "[0.99,0.98]" as Argo
/// shows it. Prometheus' own error answers ("errorType", "error") and warnings are kept in the message.
/// </summary>
internal sealed class PrometheusProvider(HttpClients clients) : IMetricProvider
{
    public MetricProviderKind Kind => MetricProviderKind.Prometheus;

    public async Task<Measurement> RunAsync(MeasurementContext context, ResolvedMetric metric, CancellationToken cancellationToken)
    {
        var started = context.Now;
        var spec = metric.Provider.Prometheus!;
        if (!Uri.TryCreate(spec.Address.TrimEnd('/') + "/api/v1/query", UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            return Measurements.Error(started, context.Now, $"invalid Prometheus address \"{spec.Address}\": expected an absolute http or https URL");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(spec.TimeoutSeconds > 0 ? spec.TimeoutSeconds : RolloutDefaults.PrometheusTimeoutSeconds));
        string body;
        int status;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new FormUrlEncodedContent([
                    new KeyValuePair<string, string>("query", spec.Query),
                    new KeyValuePair<string, string>("time", (started.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture)),
                ]),
            };
            foreach (var h in spec.Headers) request.Headers.TryAddWithoutValidation(h.Key, h.Value);
            using var response = await clients.For(spec.Insecure).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            body = await WebProvider.ReadLimited(response, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Measurements.Error(started, context.Now, "Prometheus query timed out");
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException)
        {
            return Measurements.Error(started, context.Now, e.Message);
        }
        return Interpret(metric, body, status, started, context.Now);
    }

    public Task<Measurement> ResumeAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken) =>
        Task.FromResult(measurement);

    public Task<Measurement> TerminateAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken) =>
        Task.FromResult(measurement);

    /// <summary>Reads Prometheus' answer (https://prometheus.io/docs/prometheus/latest/querying/api/).</summary>
    internal static Measurement Interpret(ResolvedMetric metric, string body, int status, DateTimeOffset started, DateTimeOffset finished)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var st))
                return Measurements.Error(started, finished, $"unexpected Prometheus answer (HTTP {status})");
            if (st.GetString() != "success")
            {
                var type = root.TryGetProperty("errorType", out var et) ? et.GetString() : "error";
                var error = root.TryGetProperty("error", out var er) ? er.GetString() : $"HTTP {status}";
                return Measurements.Error(started, finished, $"{type}: {error}");
            }
            var data = root.GetProperty("data");
            var resultType = data.GetProperty("resultType").GetString();
            var result = data.GetProperty("result");
            var warnings = root.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array
                ? string.Join(", ", w.EnumerateArray().Select(x => "\"" + x.GetString() + "\"")) : null;
            Measurement measurement;
            switch (resultType)
            {
                case "scalar":
                    var scalar = Sample(result);
                    measurement = Measurements.Evaluated(metric, started, finished, scalar, ExprValues.Number(scalar));
                    break;
                case "vector":
                    var vector = result.EnumerateArray().Select(s => Sample(s.GetProperty("value"))).ToList();
                    measurement = Measurements.Evaluated(metric, started, finished, vector.Select(v => (object?)v).ToList(), Format(vector));
                    break;
                case "matrix":
                    var matrix = result.EnumerateArray().SelectMany(s => s.GetProperty("values").EnumerateArray().Select(Sample)).ToList();
                    measurement = Measurements.Evaluated(metric, started, finished, matrix.Select(v => (object?)v).ToList(), Format(matrix));
                    break;
                default:
                    return Measurements.Error(started, finished, "Prometheus metric type not supported");
            }
            return warnings is null ? measurement : measurement with { Metadata = new Dictionary<string, string> { ["warnings"] = warnings } };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Measurements.Error(started, finished, $"unexpected Prometheus answer (HTTP {status}): {e.Message}");
        }
    }

    /// <summary>A sample is [unixTime, "value"]; Prometheus writes values as strings ("NaN", "+Inf" included).</summary>
    private static double Sample(JsonElement pair)
    {
        var text = pair[1].GetString() ?? throw new FormatException("sample value is not a string");
        return text switch
        {
            "NaN" => double.NaN,
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    private static string Format(List<double> values) => "[" + string.Join(",", values.Select(ExprValues.Number)) + "]";
}
