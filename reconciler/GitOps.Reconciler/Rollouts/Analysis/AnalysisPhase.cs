namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>Argo Rollouts' analysis phases, for a measurement, a metric and a whole run.</summary>
internal enum AnalysisPhase
{
    Pending,
    Running,
    Successful,
    Failed,
    Error,
    Inconclusive,
}

internal static class AnalysisPhases
{
    // From best to worst (utils/analysis/helpers.go analysisStatusOrder).
    private static readonly AnalysisPhase[] Order =
        [AnalysisPhase.Successful, AnalysisPhase.Running, AnalysisPhase.Pending, AnalysisPhase.Inconclusive, AnalysisPhase.Error, AnalysisPhase.Failed];

    public static bool Completed(this AnalysisPhase phase) =>
        phase is AnalysisPhase.Successful or AnalysisPhase.Failed or AnalysisPhase.Error or AnalysisPhase.Inconclusive;

    /// <summary>Whether <paramref name="next"/> is a worse outcome than <paramref name="current"/>.</summary>
    public static bool IsWorse(AnalysisPhase current, AnalysisPhase next) => Array.IndexOf(Order, next) > Array.IndexOf(Order, current);
}
