using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>Where a metric's measurements come from; <see cref="Kind"/> says which part is set.</summary>
internal sealed record MetricProvider(
    MetricProviderKind Kind,
    RouterMetric? Router = null,
    WebMetric? Web = null,
    PrometheusMetric? Prometheus = null,
    JobMetric? Job = null);

internal enum MetricProviderKind
{
    /// <summary>gitops' own router: request counts, success/error rates and latency percentiles per version, no setup.</summary>
    Router,
    Web,
    Prometheus,
    Job,
}

/// <summary>
/// A measurement of gitops' HTTP router over the last <see cref="Window"/> for one version (the one being rolled
/// out unless <see cref="Version"/> is <c>stable</c>). Rates are fractions (0.95), latencies milliseconds; a rate
/// or latency over a window without requests is NaN (test it with <c>isNaN(result)</c>).
/// In Kubernetes manifests it is the metric plugin <c>gitops/router</c> (<c>provider.plugin</c>).
/// </summary>
internal sealed record RouterMetric(RouterMetricKind Metric, string Window, PodTemplateHashValue Version);

internal enum RouterMetricKind
{
    SuccessRate,
    ErrorRate,
    LatencyP50,
    LatencyP95,
    LatencyP99,
    RequestCount,
}

/// <summary>Argo Rollouts' <c>web</c> provider: an HTTP request whose JSON answer is narrowed by <see cref="JsonPath"/>.</summary>
internal sealed record WebMetric(
    string Url,
    string Method,
    ValueList<MetricHeader> Headers,
    string? Body,
    string? JsonBody,
    string? JsonPath,
    int TimeoutSeconds,
    bool Insecure);

/// <summary>Argo Rollouts' <c>prometheus</c> provider: an instant PromQL query (<c>/api/v1/query</c>).</summary>
internal sealed record PrometheusMetric(string Address, string Query, int TimeoutSeconds, ValueList<MetricHeader> Headers, bool Insecure);

internal sealed record MetricHeader(string Key, string Value);

/// <summary>
/// Argo Rollouts' <c>job</c> provider: a pod run to completion; exit 0 passes, anything else fails. A pod that
/// fails is retried up to <see cref="BackoffLimit"/> times (Kubernetes' Job default is 6, Argo's examples use 0).
/// </summary>
internal sealed record JobMetric(PodTemplate Template, int BackoffLimit, TimeSpan? ActiveDeadline);
