using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Analysis.Providers;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Rollouts.Strategy;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>The canary state machine, driven tick by tick as the executor drives it, against Argo Rollouts' behaviour.</summary>
public sealed class CanaryTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static RolloutHarness Start(RolloutSpec spec, int replicas = 5, TrafficRouting routing = TrafficRouting.Weighted)
    {
        var h = new RolloutHarness(spec, replicas, routing).Deployed();
        h.Version = "v2";
        return h;
    }

    [Fact]
    public void Steps_move_weight_and_replicas_pause_until_promoted_and_for_a_duration()
    {
        var h = Start(RolloutHarness.Canary(CanaryStep.SetWeight(20), CanaryStep.Pause(), CanaryStep.SetWeight(40),
            CanaryStep.Pause(TimeSpan.FromSeconds(40)), CanaryStep.SetWeight(80)));

        var d = h.Settle();
        Assert.Equal((1, 20, RolloutPhase.Paused), (d.Status.StepIndex, d.Status.CanaryWeight, d.Status.Phase));
        Assert.Equal([PauseReason.CanaryPauseStep], d.Status.PausedFor);
        // With a router the stable version keeps all its replicas; the canary gets ceil(5 × 20%).
        Assert.Equal((5, 1), (h.ReplicasOf("v1"), h.ReplicasOf("v2")));
        Assert.Equal(new TrafficWeights("v1", "v2", 20), h.Weights);
        // A pause without duration waits for promote, however long.
        Assert.Equal(RolloutPhase.Paused, h.Wait(TimeSpan.FromHours(1)).Status.Phase);

        h.Command(RolloutCommand.Promote);
        d = h.Settle();
        Assert.Equal((3, 40, RolloutPhase.Paused), (d.Status.StepIndex, d.Status.CanaryWeight, d.Status.Phase));
        Assert.Equal(2, h.ReplicasOf("v2"));
        Assert.Equal(h.Clock.Now + TimeSpan.FromSeconds(40), d.RequeueAt);
        Assert.Equal(3, h.Wait(TimeSpan.FromSeconds(39)).Status.StepIndex);

        d = h.Wait(2 * Second);
        Assert.Equal(RolloutPhase.Healthy, d.Status.Phase);
        Assert.Equal("v2", d.Status.StableVersion);
        Assert.Equal(new TrafficWeights("v2", null, 0), h.Weights);
        // The old version stays up for scaleDownDelaySeconds (30 s by default) after the switch.
        Assert.Equal(5, h.ReplicasOf("v1"));
        h.Wait(TimeSpan.FromSeconds(31));
        Assert.Equal((0, 5), (h.ReplicasOf("v1"), h.ReplicasOf("v2")));
        Assert.Contains(h.Events, e => e.Reason == "TrafficWeightUpdated" && e.Message == "Traffic weight updated from 20 to 40");
    }

    [Fact]
    public void Without_a_router_weights_are_approximated_by_replica_counts()
    {
        var h = Start(RolloutHarness.Canary(CanaryStep.SetWeight(25), CanaryStep.Pause()), replicas: 4, routing: TrafficRouting.Replicas);
        var d = h.Settle();
        Assert.Equal((3, 1), (h.ReplicasOf("v1"), h.ReplicasOf("v2")));
        Assert.Equal(TrafficMode.ReplicaCount, d.Target.Traffic.Mode);
        Assert.Equal(25, d.Target.Traffic.EffectiveWeight);
        Assert.Contains("1 of 4 replicas (25%)", d.Target.Traffic.Note);
        Assert.DoesNotContain(h.Actions, a => a is SetTrafficWeight);
    }

    [Fact]
    public void Rolling_update_without_steps_respects_max_surge_and_max_unavailable()
    {
        var spec = RolloutHarness.Canary(CanaryStrategy.Default with { MaxSurge = IntOrPercent.Count(1), MaxUnavailable = IntOrPercent.Count(1) });
        var h = Start(spec, replicas: 5, routing: TrafficRouting.Replicas);
        for (var i = 0; i < 30 && h.Last!.Status.Phase != RolloutPhase.Healthy | h.ReplicasOf("v1") > 0; i++)
        {
            h.Tick();
            var total = h.Running.Values.Sum(v => v.Replicas);
            var available = h.Running.Values.Sum(v => v.Available);
            Assert.True(total <= 6, $"more than replicas + maxSurge running: {total}");
            Assert.True(available >= 4, $"fewer than replicas - maxUnavailable available: {available}");
        }
        Assert.Equal((0, 5), (h.ReplicasOf("v1"), h.ReplicasOf("v2")));
    }

    [Fact]
    public void Failed_analysis_aborts_back_to_stable_and_scales_the_canary_down_after_the_delay()
    {
        var analysis = RolloutHarness.Inline(RolloutHarness.RouterMetric("success-rate", "result >= 0.95", interval: "10s", count: "3"));
        var h = Start(RolloutHarness.Canary(CanaryStep.SetWeight(20), new CanaryStep(CanaryStepKind.Analysis, Analysis: analysis), CanaryStep.SetWeight(60)));
        h.Router.Answer = q => q.Version == "v2" ? new RouterWindow(100, 50, 50, 10, 20, 30) : new RouterWindow(100, 100, 0, 10, 20, 30);

        var d = h.Settle();
        Assert.True(d.Status.Aborted);
        Assert.Equal(RolloutPhase.Degraded, d.Status.Phase);
        Assert.Contains("success-rate", d.Status.Message);
        Assert.Equal(("v1", 0), (h.Weights!.StableVersion, h.Weights.CanaryWeight));
        Assert.Contains(h.Router.Queries, q => q.Version == "v2" && q.Window == TimeSpan.FromMinutes(1));
        Assert.Contains(h.Events, e => e.Reason == "RolloutAborted" && e.Warning);
        // Traffic left the canary at once; its replicas stay for abortScaleDownDelaySeconds (30 s).
        Assert.Equal(1, h.ReplicasOf("v2"));
        h.Wait(TimeSpan.FromSeconds(29));
        Assert.Equal(1, h.ReplicasOf("v2"));
        h.Wait(2 * Second);
        Assert.Equal((5, 0), (h.ReplicasOf("v1"), h.ReplicasOf("v2")));

        // The revision is bad: the same spec is not rolled out again by itself...
        Assert.Contains(h.State!.BadRevisions, b => b.Version == "v2");
        Assert.True(h.Wait(TimeSpan.FromMinutes(5)).Status.Aborted);
        // ...until retry, which starts again from the first step with fresh analysis runs.
        h.Router.Answer = _ => new RouterWindow(100, 100, 0, 10, 20, 30);
        h.Command(RolloutCommand.Retry);
        d = h.Settle();
        Assert.False(d.Status.Aborted);
        Assert.Equal(1, d.Status.StepIndex);
        Assert.Equal(1, h.State!.Attempt);
    }

    [Fact]
    public void Abort_scale_down_delay_zero_keeps_the_canary_running()
    {
        var h = Start(RolloutHarness.Canary(CanaryStrategy.Default with { Steps = [CanaryStep.SetWeight(40), CanaryStep.Pause()], AbortScaleDownDelay = null }));
        h.Settle();
        h.Command(RolloutCommand.Abort);
        var d = h.Settle();
        Assert.True(d.Status.Aborted);
        Assert.Equal(("v1", 0), (h.Weights!.StableVersion, h.Weights.CanaryWeight));
        h.Wait(TimeSpan.FromHours(1));
        Assert.Equal(2, h.ReplicasOf("v2"));
    }

    [Fact]
    public void Successful_step_analysis_completes_after_count_measurements_then_the_rollout_goes_on()
    {
        var analysis = RolloutHarness.Inline(RolloutHarness.RouterMetric("success-rate", "result >= 0.95", interval: "10s", count: "2"));
        var h = Start(RolloutHarness.Canary(CanaryStep.SetWeight(20), new CanaryStep(CanaryStepKind.Analysis, Analysis: analysis), CanaryStep.SetWeight(60), CanaryStep.Pause()));
        var d = h.Settle();
        Assert.Equal(1, d.Status.StepIndex);
        Assert.Equal(h.Clock.Now + TimeSpan.FromSeconds(10), d.RequeueAt);
        var run = Assert.Single(h.State!.AnalysisRuns);
        Assert.Equal((AnalysisRunKind.Step, AnalysisPhase.Running), (run.Kind, run.Phase));
        d = h.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal(AnalysisPhase.Successful, Assert.Single(h.State!.AnalysisRuns).Phase);
        Assert.Equal((3, 60), (d.Status.StepIndex, d.Status.CanaryWeight));
    }

    [Fact]
    public void Inconclusive_analysis_pauses_and_promote_moves_past_it()
    {
        var metric = RolloutHarness.RouterMetric("success-rate", "result >= 0.95", interval: null, failureCondition: "result < 0.5");
        var h = Start(RolloutHarness.Canary(CanaryStep.SetWeight(20), new CanaryStep(CanaryStepKind.Analysis, Analysis: RolloutHarness.Inline(metric)), CanaryStep.SetWeight(60), CanaryStep.Pause()));
        h.Router.Answer = _ => new RouterWindow(100, 70, 30, 10, 20, 30);
        var d = h.Settle();
        Assert.Equal(AnalysisPhase.Inconclusive, Assert.Single(h.State!.AnalysisRuns).Phase);
        Assert.Equal([PauseReason.InconclusiveAnalysisRun], d.Status.PausedFor);
        Assert.False(d.Status.Aborted);
        h.Command(RolloutCommand.Promote);
        d = h.Settle();
        Assert.Equal((3, 60), (d.Status.StepIndex, d.Status.CanaryWeight));
    }

    [Fact]
    public void Background_analysis_starts_at_its_starting_step_and_aborts_on_failure()
    {
        var background = RolloutHarness.Inline(RolloutHarness.RouterMetric("success-rate", "result >= 0.95", interval: "10s")) with { StartingStep = 2 };
        var h = Start(RolloutHarness.Canary(CanaryStrategy.Default with
        {
            Steps = [CanaryStep.SetWeight(20), CanaryStep.Pause(), CanaryStep.SetWeight(50), CanaryStep.Pause()],
            Analysis = background,
        }));
        h.Settle();
        Assert.DoesNotContain(h.Actions, a => a is StartAnalysis);
        h.Command(RolloutCommand.Promote);
        var d = h.Settle();
        Assert.Contains(h.Actions, a => a is StartAnalysis { Kind: AnalysisRunKind.Background });
        Assert.Equal(3, d.Status.StepIndex);
        // Background analysis keeps measuring while the rollout waits; a failure aborts it.
        h.Router.Answer = q => q.Version == "v2" ? new RouterWindow(10, 1, 9, 10, 20, 30) : new RouterWindow(10, 10, 0, 1, 2, 3);
        d = h.Wait(TimeSpan.FromSeconds(10));
        Assert.True(d.Status.Aborted);
        Assert.Equal(("v1", 0), (h.Weights!.StableVersion, h.Weights.CanaryWeight));
    }

    [Fact]
    public void Set_canary_scale_decouples_replicas_from_weight()
    {
        var h = Start(RolloutHarness.Canary(new CanaryStep(CanaryStepKind.SetCanaryScale, Scale: new CanaryScale(3, null, false)), CanaryStep.SetWeight(10), CanaryStep.Pause()));
        var d = h.Settle();
        Assert.Equal((3, 10), (h.ReplicasOf("v2"), d.Status.CanaryWeight));
    }

    [Fact]
    public void Header_route_is_set_on_the_http_router_and_removed_at_the_end()
    {
        var route = new HeaderRoute("beta", [new HeaderMatch("X-Beta", HeaderMatchKind.Exact, "1")]);
        var h = Start(RolloutHarness.Canary(CanaryStep.SetWeight(10), new CanaryStep(CanaryStepKind.SetHeaderRoute, HeaderRoute: route), CanaryStep.Pause()), routing: TrafficRouting.Http);
        h.Settle();
        var set = Assert.Single(h.Actions.OfType<SetHeaderRoute>());
        Assert.Equal(("beta", "v2"), (set.Route.Name, set.CanaryVersion));
        h.Command(RolloutCommand.Promote);
        Assert.Equal(RolloutPhase.Healthy, h.Settle().Status.Phase);
        Assert.Contains(h.Actions, a => a is RemoveHeaderRoute { Name: "beta" });
    }

    [Fact]
    public void Promote_full_skips_the_remaining_steps()
    {
        var h = Start(RolloutHarness.Canary(CanaryStep.SetWeight(10), CanaryStep.Pause(), CanaryStep.SetWeight(50), CanaryStep.Pause()));
        h.Settle();
        h.Command(RolloutCommand.PromoteFull);
        var d = h.Settle();
        Assert.Equal((RolloutPhase.Healthy, "v2"), (d.Status.Phase, d.Status.StableVersion));
    }

    [Fact]
    public void Progress_deadline_marks_degraded_and_aborts_only_when_asked()
    {
        var spec = RolloutHarness.Canary(CanaryStep.SetWeight(20), CanaryStep.Pause()) with { ProgressDeadline = TimeSpan.FromSeconds(60) };
        var h = Start(spec);
        h.Unready.Add("v2");
        h.Settle();
        var d = h.Wait(TimeSpan.FromSeconds(61));
        Assert.Equal(RolloutPhase.Degraded, d.Status.Phase);
        Assert.StartsWith("ProgressDeadlineExceeded", d.Status.Message);
        Assert.False(d.Status.Aborted);

        var aborting = Start(spec with { ProgressDeadlineAbort = true });
        aborting.Unready.Add("v2");
        aborting.Settle();
        Assert.True(aborting.Wait(TimeSpan.FromSeconds(61)).Status.Aborted);
    }

    [Fact]
    public void User_pause_holds_the_rollout_until_promoted()
    {
        var h = Start(RolloutHarness.Canary(CanaryStep.SetWeight(20), CanaryStep.Pause(TimeSpan.FromSeconds(10)), CanaryStep.SetWeight(60), CanaryStep.Pause()));
        h.Settle();
        h.Command(RolloutCommand.Pause);
        var d = h.Wait(TimeSpan.FromMinutes(1));
        Assert.Equal((RolloutPhase.Paused, 20), (d.Status.Phase, d.Status.CanaryWeight));
        h.Command(RolloutCommand.Promote);
        d = h.Settle();
        Assert.Equal(60, d.Status.CanaryWeight);
    }
}
