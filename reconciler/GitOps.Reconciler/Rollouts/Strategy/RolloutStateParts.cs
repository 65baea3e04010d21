using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// A version that aborted: it is not rolled out again while the service's spec is unchanged (<see cref="SpecDigest"/>),
/// until <c>gitops rollout retry</c>. A newer commit that changes the service (its template, strategy or analysis) tries again.
/// </summary>
internal sealed record BadRevision(string Version, string SpecDigest, int Revision, string Message, DateTimeOffset At);

/// <summary>When a version that lost its role (the old stable after promotion, an aborted canary) is scaled to zero.</summary>
internal sealed record ScaleDownDeadline(string Version, DateTimeOffset At);

/// <summary>A header route the rollout set on the HTTP router (<c>setHeaderRoute</c>), sending matching requests to the canary.</summary>
internal sealed record HeaderRouteState(string Name, IReadOnlyList<HeaderMatch> Matches);

/// <summary>
/// What progress looked like at <see cref="At"/>: the counts that, when they move, reset the progress deadline
/// (Argo's RolloutProgressing), and whether the deadline has already passed.
/// </summary>
internal sealed record ProgressMark(DateTimeOffset At, int Updated, int Ready, int Available, int Old, int? StepIndex, string? Stable, string? Active, bool TimedOut);
