namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>Why a rollout started a run: canary background or step analysis, blue-green pre- or post-promotion.</summary>
internal enum AnalysisRunKind
{
    Background,
    Step,
    PrePromotion,
    PostPromotion,
}
