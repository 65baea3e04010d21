using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Analysis.Providers;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// One tick of a rollout with its analysis: the analysis runs in flight take their due measurements (through the
/// providers), then the state machine decides; runs it has just started are measured at once and the machine decides
/// again, so a first failing measurement aborts in the same tick. Returns the decision to apply and persist; the
/// caller ticks again at <see cref="RolloutDecision.RequeueAt"/> at the latest (and whenever replicas change).
/// </summary>
internal sealed class RolloutController(AnalysisRunner runner, TimeProvider clock)
{
    public async Task<RolloutDecision> TickAsync(RolloutInput input, RolloutState? state, CancellationToken cancellationToken)
    {
        var events = new List<RolloutEvent>();
        DateTimeOffset? analysisNext = null;
        if (state is not null)
        {
            (state, analysisNext) = await Advance(input, state, events, cancellationToken).ConfigureAwait(false);
        }
        var decision = RolloutMachine.Tick(input, state, clock.GetUtcNow());
        events.AddRange(decision.Events);
        var actions = decision.Actions.ToList();
        if (decision.Actions.Any(a => a is StartAnalysis))
        {
            var (advanced, next) = await Advance(input, decision.State, events, cancellationToken).ConfigureAwait(false);
            analysisNext = Earliest(analysisNext, next);
            var first = decision.Actions.Where(a => a is StartAnalysis or StopAnalysis).ToList();
            decision = RolloutMachine.Tick(input, advanced, clock.GetUtcNow());
            events.AddRange(decision.Events);
            // Actions are differences from what was observed, which has not changed: the second decision's stand, plus
            // the runs only the first one started or stopped.
            actions = [.. first.Where(a => !decision.Actions.Contains(a)), .. decision.Actions];
        }
        return decision with { Actions = actions, Events = events, RequeueAt = Earliest(decision.RequeueAt, analysisNext) };
    }

    /// <summary>Runs one reconcile of every analysis run that is current or still terminating.</summary>
    private async Task<(RolloutState State, DateTimeOffset? Next)> Advance(RolloutInput input, RolloutState state, List<RolloutEvent> events, CancellationToken cancellationToken)
    {
        DateTimeOffset? next = null;
        var current = new HashSet<string?>([state.BackgroundRun, state.StepRun, state.PrePromotionRun, state.PostPromotionRun], StringComparer.Ordinal);
        var target = new AnalysisTarget(input.App, input.Service, input.Version, state.StableVersion);
        foreach (var run in state.AnalysisRuns.ToList())
        {
            if (run.Phase.Completed() || !(current.Contains(run.Name) || run.Terminate)) continue;
            var spec = SpecOf(input.Spec, run);
            if (spec is null)
            {
                // The analysis is no longer in the spec (a newer commit removed it): the run ends as terminated.
                state = state.WithRun(run with { Terminate = true, Phase = AnalysisPhase.Successful, Message = "Run Terminated", CompletedAt = clock.GetUtcNow() });
                continue;
            }
            var errors = new List<string>();
            var analysis = AnalysisTemplateResolver.Resolve(spec, input.Templates, run.Version, state.StableVersion, errors);
            AnalysisTick tick;
            if (analysis is null)
            {
                var now = clock.GetUtcNow();
                tick = new AnalysisTick(run with { Phase = AnalysisPhase.Error, Message = "Analysis spec invalid: " + string.Join("; ", errors), StartedAt = run.StartedAt ?? now, CompletedAt = now }, null, []);
            }
            else tick = await runner.ReconcileAsync(run, analysis, target with { LatestVersion = run.Version }, cancellationToken).ConfigureAwait(false);
            state = state.WithRun(tick.Run);
            events.AddRange(tick.Events);
            next = Earliest(next, tick.NextAt);
        }
        return (state, next);
    }

    /// <summary>The analysis a run measures, from the current spec.</summary>
    public static RolloutAnalysis? SpecOf(RolloutSpec spec, AnalysisRun run) => run.Kind switch
    {
        AnalysisRunKind.Background => spec.Canary?.Analysis,
        AnalysisRunKind.Step => spec.Canary is { } c && run.StepIndex is { } i && i < c.Steps.Count ? c.Steps[i].Analysis : null,
        AnalysisRunKind.PrePromotion => spec.BlueGreen?.PrePromotionAnalysis,
        _ => spec.BlueGreen?.PostPromotionAnalysis,
    };

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
