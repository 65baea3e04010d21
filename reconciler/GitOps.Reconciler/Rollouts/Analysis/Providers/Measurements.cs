namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>Shorthands for providers: a finished measurement, an errored one (Argo's MarkMeasurementError).</summary>
internal static class Measurements
{
    public static Measurement Finished(DateTimeOffset started, DateTimeOffset finished, AnalysisPhase phase, string? value, string? message = null) =>
        new() { Phase = phase, StartedAt = started, FinishedAt = finished, Value = value, Message = message };

    public static Measurement Error(DateTimeOffset started, DateTimeOffset finished, string message) =>
        new() { Phase = AnalysisPhase.Error, StartedAt = started, FinishedAt = finished, Message = message };

    /// <summary>Evaluates a provider's result against the metric's conditions into a finished measurement.</summary>
    public static Measurement Evaluated(ResolvedMetric metric, DateTimeOffset started, DateTimeOffset finished, object? result, string value)
    {
        var (phase, error) = MetricEvaluation.Assess(metric, result);
        return Finished(started, finished, phase, value, error);
    }
}
