namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// Something a user should see in <c>gitops events</c>: Argo Rollouts' event reason ("RolloutStepCompleted",
/// "AnalysisRunFailed", "RolloutAborted") and message; <see cref="Warning"/> for failures.
/// </summary>
internal sealed record RolloutEvent(string Reason, string Message, bool Warning = false);
