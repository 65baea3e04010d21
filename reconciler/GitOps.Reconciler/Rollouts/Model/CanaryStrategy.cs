using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>
/// <c>strategy.canary</c>: steps over traffic weights, with optional background analysis. <see cref="AbortScaleDownDelay"/>
/// null means "keep the canary up after an abort" (Argo: <c>abortScaleDownDelaySeconds: 0</c>).
/// <see cref="CanaryService"/>/<see cref="StableService"/> name routes (Kubernetes Services) that gitops points at
/// the canary and stable versions only.
/// </summary>
internal sealed record CanaryStrategy(
    ValueList<CanaryStep> Steps,
    string? CanaryService,
    string? StableService,
    RolloutAnalysis? Analysis,
    IntOrPercent MaxSurge,
    IntOrPercent MaxUnavailable,
    TimeSpan ScaleDownDelay,
    TimeSpan? AbortScaleDownDelay,
    bool DynamicStableScale,
    int? MinPodsPerReplicaSet)
{
    public static CanaryStrategy Default => new(default, null, null, null, RolloutDefaults.MaxSurge, RolloutDefaults.MaxUnavailable,
        RolloutDefaults.ScaleDownDelay, RolloutDefaults.AbortScaleDownDelay, false, null);
}
