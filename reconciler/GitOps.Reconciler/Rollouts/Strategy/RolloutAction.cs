namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// One thing the executor must do for this tick: the difference between <see cref="RolloutTarget"/> and what was
/// observed (or last recorded). Typed, so the executor maps each to engine calls and the plan prints each.
/// </summary>
internal abstract record RolloutAction;

/// <summary>Scale <see cref="Version"/> from <see cref="From"/> to <see cref="To"/> replicas.</summary>
internal sealed record ScaleVersion(string Version, VersionRole Role, int From, int To) : RolloutAction;

/// <summary>Set the router's split: <see cref="CanaryWeight"/> percent to the canary, the rest to the stable version.</summary>
internal sealed record SetTrafficWeight(string StableVersion, string? CanaryVersion, int CanaryWeight) : RolloutAction;

internal sealed record SetHeaderRoute(HeaderRouteState Route, string CanaryVersion) : RolloutAction;

internal sealed record RemoveHeaderRoute(string Name) : RolloutAction;

/// <summary>Point a route (null: the service's own address, or its preview port for the preview role) at one version.</summary>
internal sealed record PointRoute(string? Route, VersionRole Role, string Version) : RolloutAction;

internal sealed record StartAnalysis(string Run, Analysis.AnalysisRunKind Kind) : RolloutAction;

internal sealed record StopAnalysis(string Run) : RolloutAction;

/// <summary>Scale the Deployment a <c>workloadRef</c> names (Argo's scaleDown: onsuccess / progressively).</summary>
internal sealed record ScaleReferencedWorkload(string Name, int Replicas) : RolloutAction;

/// <summary>The rollout's phase changed: mark the service (and its application) Healthy, Progressing, Paused or Degraded.</summary>
internal sealed record ReportStatus(RolloutPhase Phase, string? Message) : RolloutAction;
