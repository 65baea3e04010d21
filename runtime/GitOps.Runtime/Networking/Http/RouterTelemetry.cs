using System.Diagnostics.Metrics;

namespace GitOps.Runtime.Networking.Http;

/// <summary>
/// The http routers' OpenTelemetry instruments, labelled router, service, version (and status_class on
/// the counter): what the daemon's Prometheus endpoint serves as gitops_router_requests_total and
/// gitops_router_request_duration_seconds. The label values are names and versions, never payload.
/// </summary>
public static class RouterTelemetry
{
    public const string MeterName = "GitOps.Router";
    public static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("gitops.router.requests", "{request}",
        "Requests proxied by an http router, by status class (error: no response from the backend)");

    /// <summary>Bucket bounds suited to web requests (Prometheus' defaults stop at 10 s as these do).</summary>
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("gitops.router.request.duration", "s",
        "Time from the request's arrival at the router to the end of the backend's response",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    public static readonly UpDownCounter<long> InFlight = Meter.CreateUpDownCounter<long>("gitops.router.requests.in_flight", "{request}",
        "Requests an http router is forwarding now");
}
