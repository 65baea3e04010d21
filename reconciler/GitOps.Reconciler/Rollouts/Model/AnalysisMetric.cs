namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>
/// One metric of an analysis, as written. Numbers and durations stay text until the run resolves its arguments,
/// because Argo Rollouts allows <c>{{args.NAME}}</c> in any of them (<c>count: "{{args.samples}}"</c>); the loader has
/// already checked that text without placeholders parses. See <see cref="Analysis.MetricResolver"/>.
/// </summary>
internal sealed record AnalysisMetric(
    string Name,
    string? Interval,
    string? InitialDelay,
    string? Count,
    string? SuccessCondition,
    string? FailureCondition,
    string? FailureLimit,
    string? InconclusiveLimit,
    string? ConsecutiveErrorLimit,
    string? ConsecutiveSuccessLimit,
    MetricProvider Provider);
