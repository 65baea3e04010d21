using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Model;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Global services and DaemonSets: one task per eligible node.</summary>
public sealed class GlobalTests
{
    private static List<string> Nodes(ClusterSnapshot cluster, SchedulingResult result) =>
        [.. result.Assignments.Select(a => cluster.Node(a.NodeId)!.Hostname).Order(StringComparer.Ordinal)];

    [Fact]
    public void OneTaskOnEveryEligibleNodeThatHasNoneYet()
    {
        var agent = Swarm("agent", global: true, constraints: ["node.role==worker"]);
        var cluster = new ClusterSnapshot(
            [Node("a"), Node("b"), Node("c"), Node("m", role: NodeRole.Manager), Node("t") with { Taints = [new Taint("gpu", null, TaintEffect.NoSchedule)] }],
            Running(agent, "b", 1));
        var result = Scheduler.Schedule(cluster, PlacementRequest.Global(agent));
        Assert.Equal(["a", "c"], Nodes(cluster, result));
        Assert.All(result.Assignments, a => Assert.Null(a.TaskId));
        // Nodes outside the constraints or behind a taint are not the service's nodes: nothing pending for them.
        Assert.Empty(result.Pending);
    }

    [Fact]
    public void ANodeThatShouldRunItButLacksRoomGetsAPendingTask()
    {
        var agent = Swarm("agent", global: true, memoryBytes: 2 * Gi);
        var cluster = new ClusterSnapshot([Node("a"), Node("small", memoryGi: 1)], []);
        var result = Scheduler.Schedule(cluster, PlacementRequest.Global(agent));
        Assert.Equal(["a"], Nodes(cluster, result));
        var pending = result.Pending.Single();
        Assert.Equal(("id-small", "no suitable node (insufficient memory on 1 node)"), (pending.NodeId, pending.Reason));
    }

    [Fact]
    public void SwarmGlobalServicesSkipPausedDrainedAndDownNodes()
    {
        var agent = Swarm("agent", global: true);
        var cluster = new ClusterSnapshot([Node("a"), Node("p") with { Availability = NodeAvailability.Pause }, Node("d") with { Availability = NodeAvailability.Drain }, Node("x") with { Up = false }], []);
        Assert.Equal(["a"], Nodes(cluster, Scheduler.Schedule(cluster, PlacementRequest.Global(agent))));
    }

    [Fact]
    public void DaemonSetsRunOnCordonedNodesAndTolerateWhatTheyDeclare()
    {
        var tainted = Node("t") with { Taints = [new Taint("dedicated", "db", TaintEffect.NoSchedule)] };
        var cluster = new ClusterSnapshot([Node("a"), Node("p") with { Availability = NodeAvailability.Pause }, Node("d") with { Availability = NodeAvailability.Drain }, Node("x") with { Up = false }, tainted], []);
        var plain = Kube("logs", daemon: true);
        Assert.Equal(["a", "d", "p"], Nodes(cluster, Scheduler.Schedule(cluster, PlacementRequest.Global(plain))));
        var tolerant = Kube("logs", daemon: true, placement: KubePlacement(tolerations: [Tolerate("dedicated")]));
        Assert.Equal(["a", "d", "p", "t"], Nodes(cluster, Scheduler.Schedule(cluster, PlacementRequest.Global(tolerant))));
        var selected = Kube("logs", daemon: true, placement: KubePlacement(nodeSelector: Map(("kubernetes.io/hostname", "a"))));
        Assert.Equal(["a"], Nodes(cluster, Scheduler.Schedule(cluster, PlacementRequest.Global(selected))));
    }

    [Fact]
    public void ReviewStopsGlobalTasksWhereTheyNoLongerBelong()
    {
        var agent = Swarm("agent", global: true, constraints: ["node.labels.agent==yes"]);
        var cluster = new ClusterSnapshot(
            [Node("a", labels: ("agent", "yes")), Node("b", labels: ("agent", "no")), Node("d", labels: ("agent", "yes")) with { Availability = NodeAvailability.Drain },
             Node("x", labels: ("agent", "yes")) with { Up = false }, Node("p", labels: ("agent", "yes")) with { Availability = NodeAvailability.Pause }],
            [new PlacedTask("a1", "id-a", agent), new PlacedTask("a2", "id-a", agent), new PlacedTask("b1", "id-b", agent), new PlacedTask("d1", "id-d", agent),
             new PlacedTask("x1", "id-x", agent), new PlacedTask("p1", "id-p", agent)]);
        var stops = TaskReview.Review(cluster).ToDictionary(r => r.Task.Id);
        Assert.All(stops.Values, r => Assert.Equal(RelocationAction.Stop, r.Action));
        Assert.Equal(["a2", "b1", "d1", "x1"], stops.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("another task of the global service already runs on node a", stops["a2"].Reason);
        Assert.Equal("node b no longer satisfies the placement constraints", stops["b1"].Reason);
        Assert.Equal("node d is drained", stops["d1"].Reason);
        Assert.Equal("node x is down", stops["x1"].Reason);
    }

    [Fact]
    public void DaemonSetPodsStayOnDrainedAndDownNodesButLeaveNodesTheyNoLongerSelect()
    {
        var logs = Kube("logs", daemon: true, placement: KubePlacement(nodeSelector: Map(("logs", "on"))));
        var cluster = new ClusterSnapshot(
            [Node("d", labels: ("logs", "on")) with { Availability = NodeAvailability.Drain }, Node("x", labels: ("logs", "on")) with { Up = false }, Node("off", labels: ("logs", "off"))],
            [new PlacedTask("d1", "id-d", logs), new PlacedTask("x1", "id-x", logs), new PlacedTask("o1", "id-off", logs)]);
        var stop = TaskReview.Review(cluster).Single();
        Assert.Equal(("o1", RelocationAction.Stop), (stop.Task.Id, stop.Action));
    }
}
