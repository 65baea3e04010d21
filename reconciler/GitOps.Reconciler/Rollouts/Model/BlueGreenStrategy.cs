namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>
/// <c>strategy.blueGreen</c>. <see cref="ActiveService"/> names the route that serves production (a Kubernetes
/// Service); for a Compose service it is null: the service's own address and published ports are the active
/// side, and <see cref="PreviewPort"/> publishes the preview version. <see cref="AutoPromotionDelay"/> is
/// <c>autoPromotionSeconds</c> (zero: promote as soon as the preview is ready, if auto-promotion is enabled).
/// <see cref="AbortScaleDownDelay"/> null keeps the preview up after an abort (<c>abortScaleDownDelaySeconds: 0</c>).
/// </summary>
internal sealed record BlueGreenStrategy(
    string? ActiveService,
    string? PreviewService,
    PreviewPort? PreviewPort,
    int? PreviewReplicaCount,
    bool AutoPromotionEnabled,
    TimeSpan AutoPromotionDelay,
    TimeSpan ScaleDownDelay,
    TimeSpan? AbortScaleDownDelay,
    RolloutAnalysis? PrePromotionAnalysis,
    RolloutAnalysis? PostPromotionAnalysis);

/// <summary>A host port that reaches the preview version: <see cref="Published"/> on the host, <see cref="Target"/> in the container (default: the service's first published target).</summary>
internal sealed record PreviewPort(int Published, int? Target);
