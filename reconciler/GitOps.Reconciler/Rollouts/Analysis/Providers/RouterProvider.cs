using GitOps.Reconciler.Rollouts.Analysis.Expressions;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Values;

namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// Measures the router's own statistics: no setup, the value is one number (a rate between 0 and 1, a latency in
/// milliseconds, or a request count). Rates and latencies of a window without requests are NaN, so a condition
/// decides what an idle canary means (<c>isNaN(result) || result >= 0.99</c>).
/// </summary>
internal sealed class RouterProvider(IRouterMetrics metrics) : IMetricProvider
{
    public MetricProviderKind Kind => MetricProviderKind.Router;

    public async Task<Measurement> RunAsync(MeasurementContext context, ResolvedMetric metric, CancellationToken cancellationToken)
    {
        var started = context.Now;
        var spec = metric.Provider.Router!;
        if (!GoDuration.TryParse(spec.Window, out var window) || window <= TimeSpan.Zero)
            return Measurements.Error(started, context.Now, $"invalid window \"{spec.Window}\": expected a duration such as 1m");
        var version = spec.Version == PodTemplateHashValue.Stable ? context.Target.StableVersion : context.Target.LatestVersion;
        if (version is null) return Measurements.Error(started, context.Now, "there is no stable version to measure");
        RouterWindow? stats;
        try
        {
            stats = await metrics.QueryAsync(new RouterQuery(context.Target.App, context.Target.Service, version, window, started), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Measurements.Error(started, context.Now, "router metrics unavailable: " + e.Message);
        }
        stats ??= new RouterWindow(0, 0, 0, null, null, null);
        var value = Value(spec.Metric, stats);
        return Measurements.Evaluated(metric, started, context.Now, value, ExprValues.Number(value));
    }

    public Task<Measurement> ResumeAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken) =>
        Task.FromResult(measurement);

    public Task<Measurement> TerminateAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken) =>
        Task.FromResult(measurement);

    public static double Value(RouterMetricKind kind, RouterWindow w) => kind switch
    {
        RouterMetricKind.RequestCount => w.Requests,
        RouterMetricKind.SuccessRate => w.Requests == 0 ? double.NaN : (double)w.Successes / w.Requests,
        RouterMetricKind.ErrorRate => w.Requests == 0 ? double.NaN : (double)w.Errors / w.Requests,
        RouterMetricKind.LatencyP50 => w.P50Milliseconds ?? double.NaN,
        RouterMetricKind.LatencyP95 => w.P95Milliseconds ?? double.NaN,
        _ => w.P99Milliseconds ?? double.NaN,
    };
}
