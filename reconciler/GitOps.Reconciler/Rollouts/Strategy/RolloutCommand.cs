namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// What a user can ask of a rollout, as kubectl-argo-rollouts offers it: promote (past a pause, or the step in
/// progress), promote --full (skip the remaining steps, analysis and pauses), abort, retry an aborted rollout, pause.
/// Undo is <c>gitops rollback</c>: Git (or a pin) says which version is desired, and going back to the stable version
/// skips the steps.
/// </summary>
internal enum RolloutCommand
{
    Promote,
    PromoteFull,
    Abort,
    Retry,
    Pause,
}
