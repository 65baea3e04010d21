using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rollouts.Loading;

/// <summary>
/// Who declares a strategy while it is read: named in messages ("Rollout 'web'", "service web"), its metadata for
/// analysis arguments' fieldRefs, and where its analyses are kept for the reference check.
/// </summary>
internal sealed record RolloutOwner(string Description, YMapping? Metadata, AnalysisReferences References);
