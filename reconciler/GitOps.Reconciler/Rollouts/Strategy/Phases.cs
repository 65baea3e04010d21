using System.Globalization;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>Argo Rollouts' CalculateRolloutPhase: the phase and message <c>gitops status</c> shows, in Argo's words.</summary>
internal static class Phases
{
    public static (RolloutPhase Phase, string? Message) Calculate(RolloutContext c)
    {
        var s = c.Next;
        if (s.Abort)
            return (RolloutPhase.Degraded, $"RolloutAborted: Rollout aborted update to revision {s.Revision.ToString(CultureInfo.InvariantCulture)}" + (s.AbortMessage is { Length: > 0 } m ? ": " + m : ""));
        if (s.Progress is { TimedOut: true } && s.StableVersion != s.CurrentVersion)
            return (RolloutPhase.Degraded, "ProgressDeadlineExceeded: " + Progress.TimeoutMessage(c));
        if (c.UserPaused) return (RolloutPhase.Paused, "manually paused");
        if (s.PauseConditions.Count > 0) return (RolloutPhase.Paused, s.PauseConditions[0].Reason.ToString());

        var replicas = c.Input.Replicas;
        var updated = c.Observed(c.NewVersion);
        var updatedReplicas = updated?.Replicas ?? 0;
        if (updatedReplicas < replicas) return (RolloutPhase.Progressing, "more replicas need to be updated");
        if (c.Spec.Strategy == RolloutStrategyKind.BlueGreen)
        {
            // Blue-green counts what the active side serves.
            var activeAvailable = c.Observed(s.ActiveVersion)?.Available ?? 0;
            if (activeAvailable < updatedReplicas) return (RolloutPhase.Progressing, "updated replicas are still becoming available");
            if (s.ActiveVersion is null || s.ActiveVersion != s.CurrentVersion) return (RolloutPhase.Progressing, "active service cutover pending");
            if (s.StableVersion is null || s.StableVersion != s.CurrentVersion)
                return (RolloutPhase.Progressing, c.Spec.BlueGreen!.PostPromotionAnalysis is not null ? "waiting for analysis to complete" : "waiting for post-promotion verification to complete");
            return (RolloutPhase.Healthy, null);
        }
        var available = c.Input.Observed.Versions.Sum(v => v.Available);
        if (available < updatedReplicas) return (RolloutPhase.Progressing, "updated replicas are still becoming available");
        if (c.Input.Routing == TrafficRouting.Replicas && c.Input.Observed.Versions.Sum(v => v.Replicas) > updatedReplicas)
            return (RolloutPhase.Progressing, "old replicas are pending termination");
        if (s.StableVersion is null || s.StableVersion != s.CurrentVersion) return (RolloutPhase.Progressing, "waiting for all steps to complete");
        return (RolloutPhase.Healthy, null);
    }
}
