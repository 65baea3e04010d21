namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// Where the rollout wants the service to be after this tick: replicas per version, how traffic is split, header
/// routes, which version each named route (Kubernetes Service) selects, the preview port's version, and the replicas of
/// a referenced Deployment. Level-based: applying the same target twice changes nothing.
/// </summary>
internal sealed record RolloutTarget(
    IReadOnlyList<VersionScale> Scale,
    TrafficPlan Traffic,
    IReadOnlyList<HeaderRouteState> HeaderRoutes,
    IReadOnlyList<RoutePin> Routes,
    int? ReferencedWorkloadReplicas);

/// <summary>The replica count a version should have, and its role.</summary>
internal sealed record VersionScale(string Version, VersionRole Role, int Replicas);

/// <summary>
/// A route that selects one version only: a canary's <c>canaryService</c>/<c>stableService</c>, a blue-green's
/// <c>activeService</c>/<c>previewService</c>. A null <see cref="Route"/> is the service's own address (a Compose
/// service's VIP and published ports) for <see cref="VersionRole.Stable"/>, or its preview port for <see cref="VersionRole.Preview"/>.
/// </summary>
internal sealed record RoutePin(string? Route, VersionRole Role, string Version);
