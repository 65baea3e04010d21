namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// What <c>gitops status</c> shows of a rollout, in Argo Rollouts' words: the phase and its message ("CanaryPauseStep",
/// "RolloutAborted: Rollout aborted update to revision 2: …"), the step, the weight, the versions.
/// </summary>
internal sealed record RolloutStatus(
    RolloutPhase Phase,
    string? Message,
    int? StepIndex,
    int StepCount,
    int? CanaryWeight,
    string? StableVersion,
    string? CurrentVersion,
    int Revision,
    bool Aborted,
    IReadOnlyList<PauseReason> PausedFor);
