using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// A metric with its arguments substituted and its numbers parsed, Argo's defaults applied. <see cref="EffectiveCount"/>
/// follows Argo: with neither count nor interval one measurement is taken; with only an interval the metric runs until
/// the run is terminated.
/// </summary>
internal sealed record ResolvedMetric(
    string Name,
    TimeSpan? Interval,
    TimeSpan? InitialDelay,
    int? Count,
    string? SuccessCondition,
    string? FailureCondition,
    int FailureLimit,
    int InconclusiveLimit,
    int ConsecutiveErrorLimit,
    int ConsecutiveSuccessLimit,
    MetricProvider Provider)
{
    public int? EffectiveCount => Count is null or 0 ? (Interval is null ? 1 : null) : Count;
}
