namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>Argo Rollouts' pause reasons (their names are what status messages show).</summary>
internal enum PauseReason
{
    CanaryPauseStep,
    BlueGreenPause,
    InconclusiveAnalysisRun,
}

/// <summary>Why and since when the rollout is paused; a pause step's deadline is <see cref="StartTime"/> plus its duration.</summary>
internal sealed record PauseCondition(PauseReason Reason, DateTimeOffset StartTime);
