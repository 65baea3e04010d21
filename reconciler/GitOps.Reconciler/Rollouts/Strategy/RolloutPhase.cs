namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>Argo Rollouts' phases, as <c>gitops status</c> and the application's health show them.</summary>
internal enum RolloutPhase
{
    Progressing,
    Healthy,
    Paused,
    Degraded,
}
