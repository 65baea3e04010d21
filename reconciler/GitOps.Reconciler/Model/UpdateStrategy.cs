namespace GitOps.Reconciler.Model;

/// <summary>
/// How a changed template is rolled out. One shape serves all formats: a Swarm <c>update_config</c> with
/// parallelism P and order stop-first is maxUnavailable P / maxSurge 0 (start-first: maxSurge P /
/// maxUnavailable 0; parallelism 0 means all at once, 100%); a Kubernetes RollingUpdate keeps its own
/// numbers. <see cref="Delay"/> is the pause between batches, <see cref="Monitor"/> how long a new replica
/// is watched for failure, <see cref="MinReady"/> how long it must be ready to count as available.
/// </summary>
internal sealed record UpdateStrategy(
    UpdateKind Kind,
    IntOrPercent MaxSurge,
    IntOrPercent MaxUnavailable,
    TimeSpan Delay,
    TimeSpan Monitor,
    FailureAction FailureAction,
    double MaxFailureRatio,
    TimeSpan MinReady,
    int Partition)
{
    public static readonly UpdateStrategy Recreate = new(UpdateKind.Recreate, default, default, TimeSpan.Zero, TimeSpan.Zero, FailureAction.Pause, 0, TimeSpan.Zero, 0);

    public static readonly UpdateStrategy OnDelete = Recreate with { Kind = UpdateKind.OnDelete };

    /// <summary>
    /// Batch sizes for <paramref name="replicas"/> replicas with Kubernetes' fencepost rules: surge rounds up,
    /// unavailability down, and if both come to zero one replica may be unavailable so a rollout can progress.
    /// </summary>
    public (int Surge, int Unavailable) Resolve(int replicas)
    {
        if (Kind != UpdateKind.Rolling) return (0, replicas);
        var surge = MaxSurge.Resolve(replicas, roundUp: true);
        var unavailable = MaxUnavailable.Resolve(replicas, roundUp: false);
        if (surge == 0 && unavailable == 0) unavailable = 1;
        return (surge, unavailable);
    }
}
