using GitOps.Cluster.Scheduling;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Rolling updates: a slot's new task goes back to its old node unless that node no longer fits; surge tasks are placed beside the old ones.</summary>
public sealed class ReplacementTests
{
    [Fact]
    public void TheNewTaskOfASlotGoesBackToTheOldTasksNode()
    {
        var v1 = Swarm("web");
        var other = Swarm("other");
        // a is the busiest node, so plain spreading would avoid it; the replacement still returns there (stop-first: the old task is gone).
        var cluster = new ClusterSnapshot([Node("a"), Node("b")], [.. Running(other, "a", 5), .. Running(v1, "b", 1, firstSlot: 2)]);
        var old = new PlacedTask("web.1.old", "id-a", v1, 1);
        var v2 = Swarm("web", memoryBytes: Gi);
        var result = Scheduler.Schedule(cluster, PlacementRequest.Replicated(v2, [SlotRequest.Replacing(old, "web.1.new")]));
        Assert.Equal("a", NodeOf(cluster, result, "web.1.new"));
    }

    [Fact]
    public void ANodeThatNoLongerFitsTheNewSpecIsLeftForTheUsualSpread()
    {
        var v1 = Swarm("web");
        var cluster = new ClusterSnapshot([Node("a", role: NodeRole.Manager), Node("b")], Running(v1, "a", 1));
        var old = cluster.Tasks.Single();
        var v2 = Swarm("web", constraints: ["node.role==worker"]);
        var result = Scheduler.Schedule(cluster.Without([old.Id]), PlacementRequest.Replicated(v2, [SlotRequest.Replacing(old, "web.1.new")]));
        Assert.Equal("b", NodeOf(cluster, result, "web.1.new"));
    }

    [Fact]
    public void SurgeTasksArePlacedWhileTheOldOnesStillHoldTheirNodes()
    {
        // start-first with max 1 per node: the old tasks still count, so the surge task goes to the free node.
        var web = Swarm("web", maxPerNode: 1, memoryBytes: 3 * Gi);
        var cluster = new ClusterSnapshot([Node("a", memoryGi: 4), Node("b", memoryGi: 4), Node("c", memoryGi: 4)], [.. Running(web, "a", 1), .. Running(web, "b", 1, firstSlot: 2)]);
        var surge = SlotRequest.Replacing(cluster.Tasks[0], "web.1.new");
        var result = Scheduler.Schedule(cluster, PlacementRequest.Replicated(web, [surge]));
        Assert.Equal("c", NodeOf(cluster, result, "web.1.new"));

        // With c taken, a second surge task has nowhere to go until an old task stops: the controller waits.
        var busy = cluster.With([new PlacedTask("web.1.new", "id-c", web, 1)]);
        var second = Scheduler.Schedule(busy, PlacementRequest.Replicated(web, [SlotRequest.Replacing(cluster.Tasks[1], "web.2.new")]));
        Assert.Equal("no suitable node (insufficient memory on 3 nodes)", second.PendingOf("web.2.new")!.Reason);

        // Once the old task of slot 1 has stopped, slot 2's new task fits back on its own node.
        var after = busy.Without(["web.a.1"]);
        var third = Scheduler.Schedule(after, PlacementRequest.Replicated(web, [SlotRequest.Replacing(cluster.Tasks[1], "web.2.new")]));
        Assert.Equal("a", NodeOf(cluster, third, "web.2.new"));
    }

    [Fact]
    public void ARollingUpdateKeepsEverySlotOnItsNode()
    {
        var v1 = Swarm("web");
        var nodes = new[] { Node("a"), Node("b"), Node("c") };
        var cluster = new ClusterSnapshot(nodes, [new PlacedTask("w1", "id-c", v1, 1), new PlacedTask("w2", "id-a", v1, 2), new PlacedTask("w3", "id-b", v1, 3)]);
        var v2 = Swarm("web", nanoCpus: Cpu);
        foreach (var old in cluster.Tasks.ToList())
        {
            // stop-first, one at a time: stop the old task, place its successor.
            var result = Scheduler.Schedule(cluster.Without([old.Id]), PlacementRequest.Replicated(v2, [SlotRequest.Replacing(old, old.Id + "'")]));
            var node = result.AssignmentOf(old.Id + "'")!.NodeId;
            Assert.Equal(old.NodeId, node);
            cluster = cluster.Without([old.Id]).With([new PlacedTask(old.Id + "'", node, v2, old.Slot)]);
        }
    }

    [Fact]
    public void APreviousNodeThatLeftTheFleetIsIgnored()
    {
        var web = Swarm("web");
        var cluster = new ClusterSnapshot([Node("a")], []);
        var slot = new SlotRequest("web.1", 1) { PreviousNodeId = "id-gone" };
        Assert.Equal("a", NodeOf(cluster, Scheduler.Schedule(cluster, PlacementRequest.Replicated(web, [slot])), "web.1"));
    }
}
