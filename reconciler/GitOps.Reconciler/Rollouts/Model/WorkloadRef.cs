namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>
/// <c>spec.workloadRef</c>: the Rollout takes its pod template from a Deployment of the same application. The
/// Deployment stays a service of its own, as in Argo Rollouts: gitops runs its replicas as declared (declare
/// <c>replicas: 0</c> to run only the Rollout's), unless <see cref="ScaleDown"/> asks the rollout to scale it to
/// zero once the first rollout is healthy (<c>onsuccess</c>) or step by step as the Rollout's replicas become
/// ready (<c>progressively</c>).
/// </summary>
internal sealed record WorkloadRef(string Kind, string Name, WorkloadScaleDown ScaleDown);

/// <summary>Argo Rollouts' <c>workloadRef.scaleDown</c> values (default <c>never</c>).</summary>
internal enum WorkloadScaleDown
{
    Never,
    OnSuccess,
    Progressively,
}
