using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// Argo's workloadRef <c>scaleDown</c> for moving a Deployment under a Rollout: <c>onsuccess</c> scales the Deployment to
/// zero once the Rollout is healthy, <c>progressively</c> takes away one of its replicas for each ready replica of the
/// Rollout. Once at zero, gitops stops touching it (Argo does this for the first revision only).
/// </summary>
internal static class WorkloadRefs
{
    public static void Reconcile(RolloutContext c, RolloutPhase phase)
    {
        if (c.Spec.WorkloadRef is not { ScaleDown: not WorkloadScaleDown.Never } reference || c.Prev.WorkloadScaledDown) return;
        if (phase == RolloutPhase.Healthy)
        {
            c.ReferencedWorkloadReplicas = 0;
            c.Next = c.Next with { WorkloadScaledDown = true };
            c.Event("ScalingReplicaSet", $"Scaled down {reference.Kind} '{reference.Name}' to 0: the Rollout is healthy");
            return;
        }
        if (reference.ScaleDown != WorkloadScaleDown.Progressively) return;
        var ready = c.Input.Observed.Versions.Sum(v => v.Ready);
        if (ready > 0) c.ReferencedWorkloadReplicas = Math.Max(0, c.Input.Replicas - ready);
    }
}
