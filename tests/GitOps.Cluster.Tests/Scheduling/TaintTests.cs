using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Model;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Taints and tolerations with Kubernetes' semantics (NoSchedule, PreferNoSchedule, NoExecute; Equal and Exists).</summary>
public sealed class TaintTests
{
    private static readonly Taint Gpu = new("gpu", "true", TaintEffect.NoSchedule);

    private static bool Fits(NodeDescription node, ServiceRequirements s) =>
        Scheduler.Schedule(new ClusterSnapshot([node], []), Slots(s, 1)).Assignments.Count == 1;

    [Theory]
    [InlineData("gpu", "true", "NoSchedule", true)]
    [InlineData("gpu", "true", null, true)] // no effect: every effect
    [InlineData("gpu", "false", "NoSchedule", false)] // another value
    [InlineData("gpu", "true", "NoExecute", false)] // another effect
    [InlineData("gpu", null, null, true)] // Exists: any value
    [InlineData("gpu", null, "PreferNoSchedule", false)]
    [InlineData(null, null, null, true)] // empty key with Exists tolerates everything
    [InlineData("other", null, null, false)]
    public void TolerationsMatchTaintsAsKubernetesDoes(string? key, string? value, string? effect, bool fits)
    {
        var toleration = Tolerate(key, value, effect is null ? null : Enum.Parse<TaintEffect>(effect));
        Assert.Equal(fits, Fits(Node("g") with { Taints = [Gpu] }, Kube("job", placement: KubePlacement(tolerations: [toleration]))));
    }

    [Fact]
    public void EqualWithAnEmptyValueMatchesATaintWithoutValue()
    {
        var bare = new Taint("dedicated", null, TaintEffect.NoSchedule);
        var equal = new Toleration("dedicated", TolerationOperator.Equal, null, TaintEffect.NoSchedule, null);
        Assert.True(equal.Tolerates(bare));
        Assert.False(equal.Tolerates(bare with { Value = "x" }));
    }

    [Fact]
    public void AnUntoleratedTaintKeepsTasksOffAndIsNamedInTheReason()
    {
        var cluster = new ClusterSnapshot([Node("g1") with { Taints = [Gpu] }, Node("g2") with { Taints = [Gpu] }, Node("x") with { Taints = [new Taint("maintenance", null, TaintEffect.NoExecute)] }], []);
        var result = Scheduler.Schedule(cluster, Slots(Swarm("web"), 1));
        Assert.Equal("no suitable node (untolerated taint gpu=true:NoSchedule on 2 nodes; untolerated taint maintenance:NoExecute on 1 node)", result.Pending.Single().Reason);
    }

    [Fact]
    public void PreferNoScheduleNeverBlocks()
    {
        var soft = Node("s") with { Taints = [new Taint("spot", null, TaintEffect.PreferNoSchedule)] };
        Assert.True(Fits(soft, Swarm("web")));
    }

    [Fact]
    public void KubernetesPodsGetTheDefaultNotReadyAndUnreachableTolerations()
    {
        var pod = Kube("web");
        Assert.Contains(pod.Tolerations, t => t.Key == WellKnownTaints.Unreachable && t.Effect == TaintEffect.NoExecute && t.Seconds == 300);
        Assert.Contains(pod.Tolerations, t => t.Key == WellKnownTaints.NotReady && t.Seconds == 300);
        // A pod that tolerates the taint its own way keeps its toleration and gets no default.
        var own = Kube("web", placement: KubePlacement(tolerations: [Tolerate(WellKnownTaints.Unreachable, effect: TaintEffect.NoExecute, seconds: 30)]));
        Assert.Equal(30, own.Tolerations.Single(t => t.Key == WellKnownTaints.Unreachable).Seconds);
        // Swarm services get nothing added.
        Assert.Empty(Swarm("web").Tolerations);
    }

    [Fact]
    public void DaemonSetPodsGetTheDaemonSetControllersTolerations()
    {
        var daemon = Kube("agent", daemon: true, placement: KubePlacement(tolerations: [Tolerate(WellKnownTaints.Unreachable, effect: TaintEffect.NoExecute, seconds: 30)]));
        Assert.Null(daemon.Tolerations.Single(t => t.Key == WellKnownTaints.Unreachable).Seconds); // replaced: daemon pods are never evicted for it
        foreach (var key in new[] { WellKnownTaints.NotReady, WellKnownTaints.Unschedulable, "node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure" })
            Assert.Contains(daemon.Tolerations, t => t.Key == key);
        Assert.DoesNotContain(daemon.Tolerations, t => t.Key == "node.kubernetes.io/network-unavailable");
        var hostNet = new ServiceRequirements("app", "agent", SourceFormat.Kubernetes, ReplicationMode.Global, hostNetwork: true);
        Assert.Contains(hostNet.Tolerations, t => t.Key == "node.kubernetes.io/network-unavailable");
    }

    [Fact]
    public void NoExecuteEvictsWhatDoesNotTolerateItAtOnce()
    {
        var web = Kube("web");
        var node = Node("a") with { Taints = [new Taint("maintenance", "now", TaintEffect.NoExecute)] };
        var moves = TaskReview.Review(new ClusterSnapshot([node], Running(web, "a", 1)));
        var move = moves.Single();
        Assert.Equal((RelocationAction.Move, TimeSpan.Zero), (move.Action, move.Delay));
        Assert.Equal("node a has taint maintenance=now:NoExecute", move.Reason);
    }

    [Fact]
    public void NoExecuteWaitsTheSmallestTolerationSecondsOfTheTolerationsUsed()
    {
        var taints = new[] { new Taint("a", null, TaintEffect.NoExecute), new Taint("b", null, TaintEffect.NoExecute) };
        var node = Node("n") with { Taints = [.. taints] };
        var web = Kube("web", placement: KubePlacement(tolerations: [Tolerate("a", effect: TaintEffect.NoExecute, seconds: 600), Tolerate("b", effect: TaintEffect.NoExecute, seconds: 60)]));
        var move = TaskReview.Review(new ClusterSnapshot([node], Running(web, "n", 1))).Single();
        Assert.Equal(TimeSpan.FromSeconds(60), move.Delay);
        Assert.Equal(taints[1], move.Taint);
        Assert.Equal("node n has taint b:NoExecute (tolerated for 60s)", move.Reason);

        // Tolerated without a limit: stays.
        var forever = Kube("web", placement: KubePlacement(tolerations: [Tolerate(null)]));
        Assert.Empty(TaskReview.Review(new ClusterSnapshot([node], Running(forever, "n", 1))));
        // NoExecute only: a NoSchedule taint added later moves nothing.
        Assert.Empty(TaskReview.Review(new ClusterSnapshot([Node("n") with { Taints = [Gpu] }], Running(Swarm("web"), "n", 1))));
    }

    [Fact]
    public void TheFirstMatchingTolerationDecidesForEachTaint()
    {
        // Kubernetes uses the first toleration that matches a taint: here the unlimited one.
        var verdict = NoExecute.Decide([new Taint("a", null, TaintEffect.NoExecute)], [Tolerate("a"), Tolerate("a", effect: TaintEffect.NoExecute, seconds: 5)]);
        Assert.False(verdict.Evict);
        var negative = NoExecute.Decide([new Taint("a", null, TaintEffect.NoExecute)], [Tolerate("a", effect: TaintEffect.NoExecute, seconds: -3)]);
        Assert.Equal((true, TimeSpan.Zero), (negative.Evict, negative.Delay));
    }

    [Fact]
    public void TaintsParseAsKubectlWritesThem()
    {
        Assert.True(Taint.TryParse("dedicated=db:NoSchedule", out var t, out _));
        Assert.Equal(new Taint("dedicated", "db", TaintEffect.NoSchedule), t);
        Assert.True(Taint.TryParse("example.com/maintenance:NoExecute", out t, out _));
        Assert.Equal(new Taint("example.com/maintenance", null, TaintEffect.NoExecute), t);
        Assert.Equal("example.com/maintenance:NoExecute", t.ToString());
        Assert.False(Taint.TryParse("gpu=true", out _, out var error));
        Assert.Contains("expected key=value:Effect", error);
        Assert.False(Taint.TryParse("gpu=true:Sometimes", out _, out error));
        Assert.Contains("NoSchedule, PreferNoSchedule, NoExecute", error);
        Assert.False(Taint.TryParse("bad key=x:NoSchedule", out _, out error));
        Assert.Contains("not a valid key", error);
    }
}
