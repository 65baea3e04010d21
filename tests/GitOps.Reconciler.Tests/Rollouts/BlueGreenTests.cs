using GitOps.Reconciler.Rollouts.Analysis.Providers;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Rollouts.Strategy;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>The blue-green state machine: preview, promotion (by hand or automatic), analysis gates, scale-down delays.</summary>
public sealed class BlueGreenTests
{
    private static RolloutHarness Start(BlueGreenStrategy strategy, int replicas = 3)
    {
        var h = new RolloutHarness(RolloutHarness.BlueGreen(strategy), replicas).Deployed();
        h.Version = "v2";
        return h;
    }

    private static string? Pinned(RolloutDecision d, string route) => d.Target.Routes.FirstOrDefault(r => r.Route == route)?.Version;

    [Fact]
    public void Preview_comes_up_beside_active_and_waits_for_promote()
    {
        var h = Start(RolloutHarness.BlueGreenDefault with { AutoPromotionEnabled = false });
        var d = h.Settle();
        Assert.Equal((3, 3), (h.ReplicasOf("v1"), h.ReplicasOf("v2")));
        Assert.Equal(("v1", "v2"), (Pinned(d, "web-active"), Pinned(d, "web-preview")));
        Assert.Equal([PauseReason.BlueGreenPause], d.Status.PausedFor);
        Assert.Equal(RolloutPhase.Paused, h.Wait(TimeSpan.FromHours(1)).Status.Phase);

        h.Command(RolloutCommand.Promote);
        d = h.Settle();
        Assert.Equal(("v2", "v2"), (Pinned(d, "web-active"), Pinned(d, "web-preview")));
        Assert.Equal((RolloutPhase.Healthy, "v2"), (d.Status.Phase, d.Status.StableVersion));
        Assert.Contains(h.Actions, a => a is PointRoute { Route: "web-active", Version: "v2" });
        // The old active version stays for scaleDownDelaySeconds, so clients that resolved it finish.
        Assert.Equal(3, h.ReplicasOf("v1"));
        h.Wait(TimeSpan.FromSeconds(31));
        Assert.Equal(0, h.ReplicasOf("v1"));
    }

    [Fact]
    public void Auto_promotion_switches_as_soon_as_the_preview_is_ready()
    {
        var h = Start(RolloutHarness.BlueGreenDefault);
        var d = h.Settle();
        Assert.Equal(("v2", RolloutPhase.Healthy), (Pinned(d, "web-active"), d.Status.Phase));
    }

    [Fact]
    public void Auto_promotion_seconds_delays_the_switch()
    {
        var h = Start(RolloutHarness.BlueGreenDefault with { AutoPromotionDelay = TimeSpan.FromSeconds(20) });
        var d = h.Settle();
        Assert.Equal("v1", Pinned(d, "web-active"));
        Assert.Equal(RolloutPhase.Paused, d.Status.Phase);
        Assert.Equal(h.Clock.Now + TimeSpan.FromSeconds(20), d.RequeueAt);
        Assert.Equal("v1", Pinned(h.Wait(TimeSpan.FromSeconds(19)), "web-active"));
        Assert.Equal("v2", Pinned(h.Wait(TimeSpan.FromSeconds(2)), "web-active"));
    }

    [Fact]
    public void Preview_replica_count_runs_a_small_preview_then_scales_up_before_the_switch()
    {
        var h = Start(RolloutHarness.BlueGreenDefault with { AutoPromotionEnabled = false, PreviewReplicaCount = 1 }, replicas: 4);
        var d = h.Settle();
        Assert.Equal((4, 1), (h.ReplicasOf("v1"), h.ReplicasOf("v2")));
        Assert.Equal("v1", Pinned(d, "web-active"));
        h.Command(RolloutCommand.Promote);
        d = h.Settle();
        Assert.Equal(4, h.ReplicasOf("v2"));
        Assert.Equal("v2", Pinned(d, "web-active"));
    }

    [Fact]
    public void Failed_pre_promotion_analysis_aborts_and_keeps_active_on_the_old_version()
    {
        var analysis = RolloutHarness.Inline(RolloutHarness.RouterMetric("success-rate", "result >= 0.95", interval: null));
        var h = Start(RolloutHarness.BlueGreenDefault with { PrePromotionAnalysis = analysis });
        h.Router.Answer = q => q.Version == "v2" ? new RouterWindow(10, 2, 8, 1, 2, 3) : new RouterWindow(10, 10, 0, 1, 2, 3);
        var d = h.Settle();
        Assert.True(d.Status.Aborted);
        Assert.Equal(RolloutPhase.Degraded, d.Status.Phase);
        Assert.Equal("v1", Pinned(d, "web-active"));
        Assert.Equal(3, h.ReplicasOf("v2"));
        h.Wait(TimeSpan.FromSeconds(31));
        Assert.Equal((3, 0), (h.ReplicasOf("v1"), h.ReplicasOf("v2")));
    }

    [Fact]
    public void Successful_pre_and_post_promotion_analysis_let_the_switch_complete()
    {
        var analysis = RolloutHarness.Inline(RolloutHarness.RouterMetric("success-rate", "result >= 0.95", interval: null));
        var h = Start(RolloutHarness.BlueGreenDefault with { PrePromotionAnalysis = analysis, PostPromotionAnalysis = analysis });
        var d = h.Settle();
        Assert.Equal((RolloutPhase.Healthy, "v2"), (d.Status.Phase, d.Status.StableVersion));
        Assert.Equal(2, h.State!.AnalysisRuns.Count);
        Assert.All(h.State.AnalysisRuns, r => Assert.Equal(Reconciler.Rollouts.Analysis.AnalysisPhase.Successful, r.Phase));
    }

    [Fact]
    public void Abort_by_hand_points_preview_back_and_scales_down_after_the_abort_delay()
    {
        var h = Start(RolloutHarness.BlueGreenDefault with { AutoPromotionEnabled = false, AbortScaleDownDelay = TimeSpan.FromSeconds(5) });
        h.Settle();
        h.Command(RolloutCommand.Abort);
        var d = h.Settle();
        Assert.True(d.Status.Aborted);
        Assert.Equal("v1", Pinned(d, "web-active"));
        Assert.Equal(3, h.ReplicasOf("v2"));
        h.Wait(TimeSpan.FromSeconds(6));
        Assert.Equal(0, h.ReplicasOf("v2"));
    }
}
