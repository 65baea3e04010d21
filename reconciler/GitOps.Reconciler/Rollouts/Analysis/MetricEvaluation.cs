using GitOps.Reconciler.Rollouts.Analysis.Expressions;

namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// Argo's EvaluateResult: a measurement's phase from its result and the metric's conditions. With only a success
/// condition, not meeting it fails; with only a failure condition, not meeting it succeeds; with both, meeting
/// neither is inconclusive; with none, every measurement that did not error succeeds.
/// </summary>
internal static class MetricEvaluation
{
    public static (AnalysisPhase Phase, string? Error) Assess(ResolvedMetric metric, object? result)
    {
        var success = false;
        var failure = false;
        if (metric.SuccessCondition is { Length: > 0 } sc)
        {
            try { success = Condition.Evaluate(sc, result); }
            catch (ExpressionException e) { return (AnalysisPhase.Error, Describe(e, "successCondition", sc, result)); }
        }
        if (metric.FailureCondition is { Length: > 0 } fc)
        {
            try { failure = Condition.Evaluate(fc, result); }
            catch (ExpressionException e) { return (AnalysisPhase.Error, Describe(e, "failureCondition", fc, result)); }
        }
        var hasSuccess = metric.SuccessCondition is { Length: > 0 };
        var hasFailure = metric.FailureCondition is { Length: > 0 };
        if (!hasSuccess && !hasFailure) return (AnalysisPhase.Successful, null);
        if (hasSuccess && !hasFailure) failure = !success;
        else if (!hasSuccess && hasFailure) success = !failure;
        if (failure) return (AnalysisPhase.Failed, null);
        return success ? (AnalysisPhase.Successful, null) : (AnalysisPhase.Inconclusive, null);
    }

    private static string Describe(ExpressionException e, string which, string expression, object? result) =>
        result is null or IReadOnlyList<object?> { Count: 0 }
            ? $"could not evaluate {which} \"{expression}\": metric result is nil or empty: no data returned from the metric provider"
            : $"could not evaluate {which} \"{expression}\": {e.Message}";
}
