namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// What the engine reports for one tick: the replicas of each version of the service, the weights its router
/// currently applies (null when there is no router or it cannot say), and the replicas of a referenced Deployment.
/// </summary>
internal sealed record RolloutObservation(IReadOnlyList<VersionReplicas> Versions, TrafficWeights? Weights = null, int? ReferencedWorkloadReplicas = null)
{
    public VersionReplicas? Of(string? version) => version is null ? null : Versions.FirstOrDefault(v => v.Version == version);
}

/// <summary>The share of traffic (percent) the router sends to the canary, and the version it treats as canary and stable.</summary>
internal sealed record TrafficWeights(string? StableVersion, string? CanaryVersion, int CanaryWeight);
