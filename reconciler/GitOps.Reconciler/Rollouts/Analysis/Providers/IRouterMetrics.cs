namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// The engine's HTTP router, seen from analysis: per-version request statistics of a service over a trailing window.
/// Implemented by the engine (the router keeps per-version counters and latency histograms); null when the router
/// has not seen the service or version at all.
/// </summary>
internal interface IRouterMetrics
{
    ValueTask<RouterWindow?> QueryAsync(RouterQuery query, CancellationToken cancellationToken);
}

/// <summary>Which traffic to look at: one version (pod template hash) of a service of an application, over the last <see cref="Window"/>.</summary>
internal sealed record RouterQuery(string App, string Service, string Version, TimeSpan Window, DateTimeOffset Now);

/// <summary>
/// Requests answered in the window, how many succeeded (status below 500) and failed (5xx, or no answer), and latency
/// percentiles in milliseconds (null without requests).
/// </summary>
internal sealed record RouterWindow(long Requests, long Successes, long Errors, double? P50Milliseconds, double? P95Milliseconds, double? P99Milliseconds);
