using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>
/// An analysis a rollout starts (background, a step, pre- or post-promotion): the templates it combines, metrics
/// written in place (Compose's <c>x-rollout</c>), the arguments passed to the templates, the metrics that run dry
/// (their failures are reported, never acted on) and, for background analysis, the step it starts at.
/// </summary>
internal sealed record RolloutAnalysis(
    ValueList<AnalysisTemplateRef> Templates,
    ValueList<AnalysisMetric> Metrics,
    ValueList<AnalysisRunArgument> Args,
    ValueList<string> DryRun,
    int? StartingStep);

/// <summary>A template by name; <see cref="ClusterScope"/> for a ClusterAnalysisTemplate.</summary>
internal sealed record AnalysisTemplateRef(string Name, bool ClusterScope);

/// <summary>
/// A rollout's argument to its analysis: a value (Argo's <c>fieldRef</c>s are resolved to values when loading), or
/// the pod template hash of the stable or the latest version, known only when the run starts.
/// </summary>
internal sealed record AnalysisRunArgument(string Name, string? Value, PodTemplateHashValue? PodTemplateHash);

internal enum PodTemplateHashValue
{
    Stable,
    Latest,
}
