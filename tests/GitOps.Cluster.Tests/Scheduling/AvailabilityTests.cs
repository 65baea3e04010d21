using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Model;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>pause stops new placements; drain also moves what runs; a node that is down takes nothing and loses its tasks.</summary>
public sealed class AvailabilityTests
{
    private static readonly NodeDescription Paused = Node("p") with { Availability = NodeAvailability.Pause };
    private static readonly NodeDescription Drained = Node("d") with { Availability = NodeAvailability.Drain };
    private static readonly NodeDescription Down = Node("x") with { Up = false };

    [Fact]
    public void PausedDrainedAndDownNodesTakeNoNewTasks()
    {
        var cluster = new ClusterSnapshot([Paused, Drained, Down, Node("a")], []);
        var web = Swarm("web");
        var result = Scheduler.Schedule(cluster, Slots(web, 3));
        Assert.All(result.Assignments, a => Assert.Equal("id-a", a.NodeId));
        Assert.Empty(result.Pending);

        var none = Scheduler.Schedule(new ClusterSnapshot([Paused, Drained, Down], []), Slots(web, 1));
        Assert.Equal("no suitable node (3 nodes not available for new tasks)", none.Pending.Single().Reason);
    }

    [Fact]
    public void AKubernetesPodThatToleratesTheCordonMayGoToAPausedNode()
    {
        var cluster = new ClusterSnapshot([Paused], []);
        var tolerant = Kube("web", placement: KubePlacement(tolerations: [Tolerate(WellKnownTaints.Unschedulable, effect: TaintEffect.NoSchedule)]));
        Assert.Single(Scheduler.Schedule(cluster, Slots(tolerant, 1)).Assignments);
        Assert.Single(Scheduler.Schedule(cluster, Slots(Kube("plain"), 1)).Pending);
        // Nothing goes to a node that is down, whatever it tolerates; nor to a drained one, which the review would empty again.
        var everything = Kube("web", placement: KubePlacement(tolerations: [Tolerate(null)]));
        Assert.Single(Scheduler.Schedule(new ClusterSnapshot([Down], []), Slots(everything, 1)).Pending);
        Assert.Equal("no suitable node (1 node not available for new tasks)", Scheduler.Schedule(new ClusterSnapshot([Drained], []), Slots(everything, 1)).Pending.Single().Reason);
        Assert.Single(Scheduler.Schedule(new ClusterSnapshot([Paused], []), Slots(everything, 1)).Assignments);
    }

    [Fact]
    public void DrainMovesTasksAndPauseDoesNot()
    {
        var web = Swarm("web");
        var cluster = new ClusterSnapshot([Paused, Drained, Node("a")], [.. Running(web, "p", 1), .. Running(web, "d", 2, firstSlot: 2), .. Running(web, "a", 1, firstSlot: 4)]);
        var moves = TaskReview.Review(cluster);
        Assert.Equal(["web.d.2", "web.d.3"], moves.Select(m => m.Task.Id));
        Assert.All(moves, m => Assert.Equal((RelocationAction.Move, TimeSpan.Zero, "node d is drained"), (m.Action, m.Delay, m.Reason)));

        // The moved slots are placed again, off the drained node.
        var after = cluster.Without(moves.Select(m => m.Task.Id));
        var result = Scheduler.Schedule(after, PlacementRequest.Replicated(web, moves.Select((m, i) => SlotRequest.Replacing(m.Task, $"web.new{i}"))));
        Assert.All(result.Assignments, a => Assert.Equal("id-a", a.NodeId));
    }

    [Fact]
    public void SwarmTasksOnANodeThatIsDownMoveAtOnce()
    {
        var web = Swarm("web");
        var moves = TaskReview.Review(new ClusterSnapshot([Down, Node("a")], [.. Running(web, "x", 2), .. Running(web, "a", 1, firstSlot: 3)]));
        Assert.Equal(2, moves.Count);
        Assert.All(moves, m => Assert.Equal((RelocationAction.Move, TimeSpan.Zero, "node x is down"), (m.Action, m.Delay, m.Reason)));
    }

    [Fact]
    public void KubernetesPodsOnANodeThatIsDownMoveAfterTheirUnreachableToleration()
    {
        var web = Kube("web");
        var move = TaskReview.Review(new ClusterSnapshot([Down], Running(web, "x", 1))).Single();
        Assert.Equal((RelocationAction.Move, TimeSpan.FromSeconds(300)), (move.Action, move.Delay));
        Assert.Equal(WellKnownTaints.UnreachableNoExecute, move.Taint);
        Assert.Equal("node x is down (tolerated for 300s)", move.Reason);

        var quick = Kube("web", placement: KubePlacement(tolerations: [Tolerate(WellKnownTaints.Unreachable, effect: TaintEffect.NoExecute, seconds: 10)]));
        Assert.Equal(TimeSpan.FromSeconds(10), TaskReview.Review(new ClusterSnapshot([Down], Running(quick, "x", 1))).Single().Delay);
    }

    [Fact]
    public void ATaskOnANodeThatLeftTheFleetMoves()
    {
        var web = Swarm("web");
        var move = TaskReview.Review(new ClusterSnapshot([Node("a")], [new PlacedTask("t1", "id-gone", web, 1)])).Single();
        Assert.Equal("node id-gone has left the fleet", move.Reason);
    }

    [Fact]
    public void SwarmTasksLeaveANodeThatNoLongerSatisfiesTheirConstraintsKubernetesPodsStay()
    {
        var swarm = Swarm("web", constraints: ["node.labels.tier==front"]);
        var kube = Kube("web2", placement: KubePlacement(nodeSelector: Map(("tier", "front"))));
        var relabelled = Node("a", labels: ("tier", "back"));
        var moves = TaskReview.Review(new ClusterSnapshot([relabelled], [.. Running(swarm, "a", 1), .. Running(kube, "a", 1)]));
        // Swarm's constraint enforcer moves the Swarm task; requiredDuringScheduling*IgnoredDuringExecution* leaves the pod.
        Assert.Equal("web", moves.Single().Task.Service.Name);
        Assert.Equal("node a no longer satisfies the placement constraints", moves.Single().Reason);
    }
}
