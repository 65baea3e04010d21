namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>Argo Rollouts' two strategies: <c>canary</c> (steps over weights) and <c>blueGreen</c> (preview, then switch).</summary>
internal enum RolloutStrategyKind
{
    Canary,
    BlueGreen,
}
