using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// The progress deadline (Argo's RolloutProgressing and RolloutTimedOut): any movement — replicas updated, ready or
/// available, old replicas gone, a step done, a new stable or active version — restarts the clock; a rollout that shows
/// none for progressDeadlineSeconds has timed out (Degraded, "ProgressDeadlineExceeded") and, with progressDeadlineAbort,
/// is aborted. Pauses, pause and analysis steps, completed rollouts and pending scale-down delays do not count against it.
/// </summary>
internal static class Progress
{
    public static void Evaluate(RolloutContext c)
    {
        var counts = Counts(c);
        var mark = c.Prev.Progress;
        var moved = mark is null
            || counts.Updated != mark.Updated || counts.Old < mark.Old || counts.Ready > mark.Ready || counts.Available > mark.Available
            || c.Next.StepIndex != mark.StepIndex || c.Next.StableVersion != mark.Stable || c.Next.ActiveVersion != mark.Active;
        var idle = c.Next.StableVersion == c.NewVersion || c.IsAborted || c.UserPaused || c.Prev.PauseConditions.Count > 0 || c.HasAddPause
            || IndefiniteStep(c) || c.Next.ScaleDownDeadlines.Count > 0;
        if (moved || idle)
        {
            c.Next = c.Next with { Progress = new ProgressMark(c.Now, counts.Updated, counts.Ready, counts.Available, counts.Old, c.Next.StepIndex, c.Next.StableVersion, c.Next.ActiveVersion, false) };
            if (!idle) c.RequeueBy(c.Now + c.Spec.ProgressDeadline);
            return;
        }
        if (mark!.TimedOut) return;
        var deadline = mark.At + c.Spec.ProgressDeadline;
        if (c.Now <= deadline)
        {
            c.RequeueBy(deadline);
            return;
        }
        c.Next = c.Next with { Progress = mark with { TimedOut = true } };
        var message = TimeoutMessage(c);
        c.Event("ProgressDeadlineExceeded", message, warning: true);
        if (c.Spec.ProgressDeadlineAbort) c.AddAbort(message);
    }

    public static string TimeoutMessage(RolloutContext c) => $"ReplicaSet \"{c.Input.Service}-{Promotion.Short(c.NewVersion)}\" has timed out progressing.";

    private static bool IndefiniteStep(RolloutContext c) =>
        c.Spec.Canary is { } canary && CanarySteps.Current(canary, c.Next.StepIndex) is { Kind: CanaryStepKind.Pause or CanaryStepKind.Analysis };

    /// <summary>Argo's status counters: updated (new version's replicas), ready, available, and replicas of other versions.</summary>
    public static (int Updated, int Ready, int Available, int Old) Counts(RolloutContext c)
    {
        var versions = c.Input.Observed.Versions;
        var updated = c.Observed(c.NewVersion)?.Replicas ?? 0;
        var total = versions.Sum(v => v.Replicas);
        return (updated, versions.Sum(v => v.Ready), versions.Sum(v => v.Available), total - updated);
    }
}
