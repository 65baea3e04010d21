namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>
/// How a service's new versions reach production when it declares a progressive strategy: Argo Rollouts'
/// <c>Rollout.spec</c> (Kubernetes) or a Compose service's <c>x-rollout</c>, defaults applied (see
/// <see cref="RolloutDefaults"/>). Exactly one of <see cref="Canary"/> and <see cref="BlueGreen"/> is set, as
/// <see cref="Strategy"/> says. <see cref="Paused"/> is <c>spec.paused</c>: the rollout holds wherever it is.
/// </summary>
internal sealed record RolloutSpec(
    RolloutStrategyKind Strategy,
    CanaryStrategy? Canary,
    BlueGreenStrategy? BlueGreen,
    TimeSpan ProgressDeadline,
    bool ProgressDeadlineAbort,
    bool Paused,
    WorkloadRef? WorkloadRef)
{
    /// <summary>
    /// The service speaks HTTP (<c>x-rollout.protocol: http</c>, or <c>appProtocol: http</c> on a port of a Service the
    /// Rollout names): traffic can move per request through the HTTP router, with header routes and request metrics.
    /// </summary>
    public bool HttpTraffic { get; init; }

    /// <summary>Every analysis the strategy may start, for checks over all of them (template references, args).</summary>
    public IEnumerable<RolloutAnalysis> Analyses()
    {
        if (Canary is { } c)
        {
            if (c.Analysis is { } background) yield return background;
            foreach (var step in c.Steps)
                if (step.Analysis is { } a) yield return a;
        }
        if (BlueGreen is { } b)
        {
            if (b.PrePromotionAnalysis is { } pre) yield return pre;
            if (b.PostPromotionAnalysis is { } post) yield return post;
        }
    }
}
