namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>What a version is to the rollout: production, the one being rolled out, or an older one on its way out.</summary>
internal enum VersionRole
{
    Stable,
    Canary,
    Preview,
    Old,
}
