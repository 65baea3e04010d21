using System.Text;
using GitOps.Reconciler.Rollouts.Analysis.Expressions;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// Argo Rollouts' <c>web</c> provider: GET (or POST/PUT with a body) the URL with the metric's headers within its
/// timeout (default 10 s); a non-2xx answer is an error; a JSON answer is narrowed by <c>jsonPath</c> (default the
/// whole document) and the first value selected is the result; an answer that is not JSON is the result as text.
/// </summary>
internal sealed class WebProvider(HttpClients clients) : IMetricProvider
{
    /// <summary>Answers larger than this are an error: a metric endpoint has no business sending megabytes.</summary>
    public const int MaxResponseBytes = 4 << 20;

    public MetricProviderKind Kind => MetricProviderKind.Web;

    public async Task<Measurement> RunAsync(MeasurementContext context, ResolvedMetric metric, CancellationToken cancellationToken)
    {
        var started = context.Now;
        var web = metric.Provider.Web!;
        var method = string.IsNullOrEmpty(web.Method) ? "GET" : web.Method.ToUpperInvariant();
        if (web.Body is not null && web.JsonBody is not null)
            return Measurements.Error(started, context.Now, "use either Body or JSONBody; both cannot exists for WebMetric payload");
        if ((web.Body is not null || web.JsonBody is not null) && method == "GET")
            return Measurements.Error(started, context.Now, "Body/JSONBody can only be used with POST or PUT WebMetric Method types");
        JsonPath path;
        try { path = JsonPath.Parse(web.JsonPath); }
        catch (FormatException e) { return Measurements.Error(started, context.Now, e.Message); }
        if (!Uri.TryCreate(web.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return Measurements.Error(started, context.Now, $"invalid URL \"{web.Url}\": expected an absolute http or https URL");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(web.TimeoutSeconds > 0 ? web.TimeoutSeconds : RolloutDefaults.WebTimeoutSeconds));
        string body;
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), uri);
            if (web.Body is not null) request.Content = new StringContent(web.Body, Encoding.UTF8);
            else if (web.JsonBody is not null) request.Content = new StringContent(web.JsonBody, Encoding.UTF8, "application/json");
            foreach (var h in web.Headers)
                if (!request.Headers.TryAddWithoutValidation(h.Key, h.Value)) request.Content?.Headers.TryAddWithoutValidation(h.Key, h.Value);
            using var response = await clients.For(web.Insecure).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is < 200 or >= 300) return Measurements.Error(started, context.Now, $"received non 2xx response code: {status}");
            body = await ReadLimited(response, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Measurements.Error(started, context.Now, $"request to {uri.GetLeftPart(UriPartial.Path)} timed out");
        }
        catch (HttpRequestException e)
        {
            return Measurements.Error(started, context.Now, e.Message);
        }
        catch (InvalidDataException e)
        {
            return Measurements.Error(started, context.Now, e.Message);
        }

        if (!JsonValues.TryParse(body, out var document))
            return Measurements.Evaluated(metric, started, context.Now, body, body);
        List<object?> found;
        try { found = path.Find(document); }
        catch (KeyNotFoundException e) { return Measurements.Error(started, context.Now, "Could not find JSONPath in body: " + e.Message); }
        if (found.Count == 0) return Measurements.Error(started, context.Now, "result of web metric produced no value");
        return Measurements.Evaluated(metric, started, context.Now, found[0], ExprValues.Format(found[0]));
    }

    public Task<Measurement> ResumeAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken) =>
        Task.FromResult(measurement);

    public Task<Measurement> TerminateAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken) =>
        Task.FromResult(measurement);

    internal static async Task<string> ReadLimited(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes) throw new InvalidDataException($"response is larger than {MaxResponseBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
