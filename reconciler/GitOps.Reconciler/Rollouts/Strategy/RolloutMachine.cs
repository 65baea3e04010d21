using System.Globalization;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// The rollout state machine: given the spec, the persisted state, what runs and the time, the next state and the typed
/// actions that move the service toward it. Pure: no I/O, no clock of its own, so every transition is a unit test and a
/// state that went through JSON continues exactly where it was.
/// </summary>
internal static class RolloutMachine
{
    public static RolloutDecision Tick(RolloutInput input, RolloutState? state, DateTimeOffset now)
    {
        var events = new List<Analysis.RolloutEvent>();
        var prev = Prepare(input, state ?? Adopt(input), now, events);
        var c = new RolloutContext(input, prev, now);
        c.Events.AddRange(events);
        if (input.Spec.Strategy == RolloutStrategyKind.Canary) CanaryMachine.Reconcile(c);
        else BlueGreenMachine.Reconcile(c);
        AnalysisCoordinator.Sweep(c);
        Progress.Evaluate(c);
        c.Settle();
        if (c.IsAborted && !prev.Abort)
            c.Event("RolloutAborted", $"Rollout aborted update to revision {c.Next.Revision.ToString(CultureInfo.InvariantCulture)}" + (c.Next.AbortMessage is { } m ? ": " + m : ""), warning: true);
        c.Next = c.Next with { HeaderRoutes = [.. c.HeaderRoutes], SpecDigest = input.SpecDigest };
        var (phase, message) = Phases.Calculate(c);
        WorkloadRefs.Reconcile(c, phase);
        c.Next = c.Next with { Phase = phase, Message = message, Routes = [.. c.Routes] };
        var target = Targets.Build(c);
        var actions = Targets.Actions(c, target);
        var status = new RolloutStatus(phase, message, c.Next.StepIndex, input.Spec.Canary?.Steps.Count ?? 0, c.Next.CanaryWeight,
            c.Next.StableVersion, c.Next.CurrentVersion, c.Next.Revision, c.Next.Abort, [.. c.Next.PauseConditions.Select(p => p.Reason)]);
        return new RolloutDecision(c.Next, target, actions, c.Events, status, c.RequeueAt);
    }

    /// <summary>
    /// The state of a service met for the first time: if it already runs (the strategy was just added, or the state was
    /// lost), the version with the most available replicas is adopted as stable — the desired version itself when it is
    /// fully up — so the next version goes through the steps instead of being deployed at once.
    /// </summary>
    private static RolloutState Adopt(RolloutInput input)
    {
        var running = input.Observed.Versions.Where(v => v.Replicas > 0 || v.Available > 0).ToList();
        var desired = running.FirstOrDefault(v => v.Version == input.Version);
        var others = running.Where(v => v.Version != input.Version).OrderByDescending(v => v.Available).ThenByDescending(v => v.Replicas).ToList();
        string? stable = desired is not null && (desired.Available >= input.Replicas || others.Count == 0) ? input.Version : others.FirstOrDefault()?.Version;
        if (stable is null) return new RolloutState { Service = input.Service };
        var steps = input.Spec.Canary?.Steps.Count ?? 0;
        return new RolloutState
        {
            Service = input.Service,
            StableVersion = stable,
            CurrentVersion = stable,
            Revision = 1,
            StepIndex = steps > 0 ? steps : null,
            StepsHash = input.Spec.Canary is { } canary ? CanarySteps.Hash(canary) : null,
            ActiveVersion = input.Spec.Strategy == RolloutStrategyKind.BlueGreen ? stable : null,
            PreviewVersion = input.Spec.Strategy == RolloutStrategyKind.BlueGreen ? stable : null,
            SpecDigest = input.SpecDigest,
        };
    }

    /// <summary>
    /// Argo's reaction to a changed pod template or changed steps (resetRolloutStatus), and gitops' bad-revision rule:
    /// an aborted version stays aborted while the service's spec is the same, and is tried again once it changes.
    /// </summary>
    private static RolloutState Prepare(RolloutInput input, RolloutState prev, DateTimeOffset now, List<Analysis.RolloutEvent> events)
    {
        var canary = input.Spec.Canary;
        var stepCount = canary?.Steps.Count ?? 0;
        var stepsHash = canary is null ? null : CanarySteps.Hash(canary);
        if (prev.CurrentVersion != input.Version)
        {
            var rollback = prev.StableVersion == input.Version;
            var revision = prev.CurrentVersion is null ? Math.Max(1, prev.Revision) : prev.Revision + 1;
            var next = prev with
            {
                CurrentVersion = input.Version,
                Commit = input.Commit,
                Revision = revision,
                Attempt = 0,
                StepsHash = stepsHash,
                StepIndex = stepCount > 0 ? (rollback ? stepCount : 0) : null,
                PauseConditions = [],
                ControllerPause = false,
                Abort = false,
                AbortedAt = null,
                AbortMessage = null,
                PromoteFull = false,
                ScaleUpPreviewCheckPoint = false,
                HeaderRoutes = [],
                BackgroundRun = null,
                StepRun = null,
                PrePromotionRun = null,
                PostPromotionRun = null,
                Progress = null,
            };
            events.Add(new Analysis.RolloutEvent("RolloutUpdated", $"Rollout updated to revision {revision.ToString(CultureInfo.InvariantCulture)}"));
            if (rollback && stepCount > 0) events.Add(new Analysis.RolloutEvent("SkipSteps", "Rollback to stable ReplicaSets"));
            if (prev.BadRevisions.FirstOrDefault(b => b.Version == input.Version) is { } bad)
            {
                if (bad.SpecDigest == input.SpecDigest)
                {
                    next = next with { Abort = true, AbortedAt = now, AbortMessage = bad.Message, StepIndex = stepCount > 0 ? 0 : null };
                    events.Add(new Analysis.RolloutEvent("RolloutAborted",
                        $"Version {Promotion.Short(input.Version)} aborted before (revision {bad.Revision.ToString(CultureInfo.InvariantCulture)}: {bad.Message}); it is not rolled out again until the service changes or 'gitops rollout retry'", Warning: true));
                }
                else next = next with { BadRevisions = [.. prev.BadRevisions.Where(b => b != bad)] };
            }
            return next;
        }
        if (canary is not null && stepsHash != prev.StepsHash)
        {
            return prev with
            {
                StepsHash = stepsHash,
                StepIndex = stepCount > 0 ? (prev.FullyPromoted ? stepCount : 0) : null,
                PauseConditions = [],
                ControllerPause = false,
                StepRun = null,
            };
        }
        if (prev.Abort && prev.BadRevisions.FirstOrDefault(b => b.Version == input.Version) is { } mark && mark.SpecDigest != input.SpecDigest)
        {
            events.Add(new Analysis.RolloutEvent("RolloutRetry", "Retrying Rollout after abort: the service changed in a newer commit"));
            return Retried(prev, stepCount) with { BadRevisions = [.. prev.BadRevisions.Where(b => b != mark)] };
        }
        return prev;
    }

    /// <summary>The state of a retry: back to the first step, fresh analysis runs (a new attempt), no pause, no abort.</summary>
    public static RolloutState Retried(RolloutState s, int stepCount) => s with
    {
        Abort = false,
        AbortedAt = null,
        AbortMessage = null,
        Attempt = s.Attempt + 1,
        StepIndex = stepCount > 0 ? 0 : null,
        PauseConditions = [],
        ControllerPause = false,
        BackgroundRun = null,
        StepRun = null,
        PrePromotionRun = null,
        PostPromotionRun = null,
        ScaleDownDeadlines = [.. s.ScaleDownDeadlines.Where(d => d.Version != s.CurrentVersion)],
        Progress = null,
    };
}
