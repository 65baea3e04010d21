using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// Applies a user's command to the persisted state, as kubectl-argo-rollouts patches a Rollout's status; the next tick
/// acts on it. A command that makes no sense in the current state is refused with the reason, and changes nothing.
/// </summary>
internal static class RolloutCommands
{
    public sealed record Result(RolloutState? State, string? Error)
    {
        public bool Ok => Error is null;
    }

    public static Result Apply(RolloutCommand command, RolloutState? state, RolloutSpec spec, DateTimeOffset now)
    {
        if (state is null) return new Result(null, "the rollout has not started yet");
        return command switch
        {
            RolloutCommand.Promote => Promote(state, spec),
            RolloutCommand.PromoteFull => PromoteFull(state),
            RolloutCommand.Abort => Abort(state, now),
            RolloutCommand.Retry => Retry(state, spec),
            _ => state.UserPaused ? new Result(null, "the rollout is already paused") : new Result(state with { UserPaused = true }, null),
        };
    }

    /// <summary>kubectl-argo-rollouts promote: unpause; leave a pause (skipping an inconclusive analysis step), or skip the canary step in progress.</summary>
    private static Result Promote(RolloutState s, RolloutSpec spec)
    {
        if (s.Abort) return new Result(null, $"revision {s.Revision} was aborted: use retry to roll it out again, or promote --full to skip its steps");
        var canary = spec.Canary;
        var steps = canary?.Steps.Count ?? 0;
        var paused = s.UserPaused || s.PauseConditions.Count > 0;
        if (s.FullyPromoted && !paused) return new Result(null, $"nothing to promote: revision {s.Revision} is already stable");
        var next = s with { UserPaused = false };
        var stepRun = s.Run(s.StepRun);
        if (canary is not null && stepRun is { Phase: AnalysisPhase.Inconclusive } && s.PauseConditions.Count > 0 && s.ControllerPause)
            return new Result(next with { StepIndex = Advance(s.StepIndex, steps), PauseConditions = [], ControllerPause = false }, null);
        if (s.PauseConditions.Count > 0) return new Result(next with { PauseConditions = [] }, null);
        if (canary is not null && steps > 0 && !s.FullyPromoted)
            return new Result(next with { StepIndex = Advance(s.StepIndex, steps), PauseConditions = [] }, null);
        if (!s.UserPaused) return new Result(null, "nothing to promote: the rollout is not paused (use promote --full to skip what remains)");
        return new Result(next, null);
    }

    private static int Advance(int? index, int steps) => Math.Min((index ?? 0) + 1, steps);

    /// <summary>promote --full: skip every remaining step, pause and analysis; also ends an abort.</summary>
    private static Result PromoteFull(RolloutState s)
    {
        if (s.FullyPromoted && !s.UserPaused) return new Result(null, $"nothing to promote: revision {s.Revision} is already stable");
        return new Result(s with { UserPaused = false, PromoteFull = !s.FullyPromoted }, null);
    }

    /// <summary>abort: traffic back to the stable version at once, the new version scaled down, the revision marked bad.</summary>
    private static Result Abort(RolloutState s, DateTimeOffset now)
    {
        if (s.Abort) return new Result(null, $"revision {s.Revision} is already aborted");
        if (s.FullyPromoted || s.StableVersion is null) return new Result(null, "nothing to abort: no update is in progress");
        return new Result(s with { Abort = true, AbortedAt = now, AbortMessage = null, PromoteFull = false }, null);
    }

    /// <summary>retry: an aborted revision starts over from the first step with fresh analysis runs.</summary>
    private static Result Retry(RolloutState s, RolloutSpec spec)
    {
        if (!s.Abort) return new Result(null, "the rollout is not aborted: nothing to retry");
        var retried = RolloutMachine.Retried(s, spec.Canary?.Steps.Count ?? 0);
        return new Result(retried with { BadRevisions = [.. s.BadRevisions.Where(b => b.Version != s.CurrentVersion)] }, null);
    }
}
