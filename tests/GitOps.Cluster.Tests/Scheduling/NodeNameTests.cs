using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Model;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Kubernetes nodeName: the pod is bound to that node, as kubelet-admitted pods are.</summary>
public sealed class NodeNameTests
{
    private static ServiceRequirements Bound(string node, long memory = 0) => Kube("web", placement: KubePlacement(nodeName: node), memoryBytes: memory);

    [Fact]
    public void EveryReplicaGoesToTheNamedNode()
    {
        var cluster = new ClusterSnapshot([Node("a"), Node("b")], []);
        var result = Scheduler.Schedule(cluster, Slots(Bound("b"), 3));
        Assert.All(result.Assignments, a => Assert.Equal("id-b", a.NodeId));
        Assert.Equal(3, result.Assignments.Count);
    }

    [Fact]
    public void TheCordonAndNoScheduleTaintsDoNotApplyButNoExecuteAndResourcesDo()
    {
        var cordoned = Node("b") with { Availability = NodeAvailability.Drain, Taints = [new Taint("gpu", null, TaintEffect.NoSchedule)] };
        Assert.Single(Scheduler.Schedule(new ClusterSnapshot([cordoned], []), Slots(Bound("b"), 1)).Assignments);

        var evicting = Node("b") with { Taints = [new Taint("maintenance", null, TaintEffect.NoExecute)] };
        Assert.Equal("no suitable node (untolerated taint maintenance:NoExecute on 1 node)", Scheduler.Schedule(new ClusterSnapshot([evicting], []), Slots(Bound("b"), 1)).Pending.Single().Reason);

        var small = Node("b", memoryGi: 1);
        Assert.Equal("no suitable node (insufficient memory on 1 node)", Scheduler.Schedule(new ClusterSnapshot([small], []), Slots(Bound("b", 2 * Gi), 1)).Pending.Single().Reason);

        Assert.Equal("no suitable node (1 node not available for new tasks)", Scheduler.Schedule(new ClusterSnapshot([Node("b") with { Up = false }], []), Slots(Bound("b"), 1)).Pending.Single().Reason);
    }

    [Fact]
    public void AMissingNodeIsSaidSo() =>
        Assert.Equal("no suitable node (node c not found)", Scheduler.Schedule(new ClusterSnapshot([Node("a")], []), Slots(Bound("c"), 1)).Pending.Single().Reason);

    [Fact]
    public void DrainDoesNotMoveABoundPod() =>
        Assert.Empty(TaskReview.Review(new ClusterSnapshot([Node("b") with { Availability = NodeAvailability.Drain }], Running(Bound("b"), "b", 1))));
}
