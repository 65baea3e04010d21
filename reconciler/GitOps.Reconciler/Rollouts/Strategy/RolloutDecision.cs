using GitOps.Reconciler.Rollouts.Analysis;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// The outcome of one tick: the state to persist, the target and the actions that reach it, events to publish, the
/// status to show, and when to tick again at the latest (a pause's deadline, a scale-down delay, the next measurement).
/// </summary>
internal sealed record RolloutDecision(
    RolloutState State,
    RolloutTarget Target,
    IReadOnlyList<RolloutAction> Actions,
    IReadOnlyList<RolloutEvent> Events,
    RolloutStatus Status,
    DateTimeOffset? RequeueAt);
