using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Swarm;

/// <summary>
/// What Swarm uses when a stack leaves a field out (docker service create's defaults): update and rollback
/// one task at a time, stop-first, no delay, pause on failure, 5 s monitor, no tolerated failures; restart on
/// any exit after 5 s, without limit.
/// </summary>
internal static class SwarmDefaults
{
    public const int Parallelism = 1;

    public static readonly TimeSpan Monitor = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(10);

    public static readonly UpdateStrategy Update = FromSwarm(Parallelism, startFirst: false, TimeSpan.Zero, Monitor, FailureAction.Pause, 0);

    public static readonly RestartPolicy Restart = new(RestartCondition.Always, null, RestartDelay, TimeSpan.Zero);

    /// <summary>
    /// Swarm's batch model in the shared shape: parallelism P stop-first takes P replicas down before
    /// starting their replacements (maxUnavailable P, maxSurge 0); start-first starts P extra first
    /// (maxSurge P, maxUnavailable 0). Parallelism 0 updates everything at once (100%).
    /// </summary>
    public static UpdateStrategy FromSwarm(int parallelism, bool startFirst, TimeSpan delay, TimeSpan monitor, FailureAction failureAction, double maxFailureRatio)
    {
        var batch = parallelism == 0 ? IntOrPercent.Percentage(100) : IntOrPercent.Count(parallelism);
        return new UpdateStrategy(
            UpdateKind.Rolling,
            startFirst ? batch : IntOrPercent.Count(0),
            startFirst ? IntOrPercent.Count(0) : batch,
            delay,
            monitor,
            failureAction,
            maxFailureRatio,
            TimeSpan.Zero,
            0);
    }
}
