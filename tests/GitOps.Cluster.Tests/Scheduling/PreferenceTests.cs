using GitOps.Cluster.Scheduling;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Placement preferences (spread=node.labels.X): spread over the label's values first, then over nodes.</summary>
public sealed class PreferenceTests
{
    private static Dictionary<string, int> PerZone(ClusterSnapshot cluster, SchedulingResult result, ServiceRequirements s) =>
        result.Assignments.Where(a => a.Service == s)
            .GroupBy(a => cluster.Node(a.NodeId)!.Labels.TryGetValue("zone", out var z) ? z : "(none)")
            .ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void ZonesGetEqualSharesWhateverTheirNodeCounts()
    {
        // Swarm's documented behaviour: one node in east, three in west, still half and half.
        var cluster = new ClusterSnapshot([Node("e1", labels: ("zone", "east")), Node("w1", labels: ("zone", "west")), Node("w2", labels: ("zone", "west")), Node("w3", labels: ("zone", "west"))], []);
        var web = Swarm("web", preferences: ["node.labels.zone"]);
        var result = Scheduler.Schedule(cluster, Slots(web, 6));
        Assert.Equal(new Dictionary<string, int> { ["east"] = 3, ["west"] = 3 }, PerZone(cluster, result, web));
        Assert.Equal(new Dictionary<string, int> { ["e1"] = 3, ["w1"] = 1, ["w2"] = 1, ["w3"] = 1 }, PerNode(cluster, result, web));
    }

    [Fact]
    public void NodesWithoutTheLabelFormTheirOwnGroup()
    {
        var cluster = new ClusterSnapshot([Node("a", labels: ("zone", "a")), Node("b", labels: ("zone", "b")), Node("x"), Node("y")], []);
        var web = Swarm("web", preferences: ["node.labels.zone"]);
        var result = Scheduler.Schedule(cluster, Slots(web, 6));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 2, ["(none)"] = 2 }, PerZone(cluster, result, web));
    }

    [Fact]
    public void TasksAlreadyInABranchCountAgainstIt()
    {
        var web = Swarm("web", preferences: ["node.labels.zone"]);
        var cluster = new ClusterSnapshot([Node("a1", labels: ("zone", "a")), Node("a2", labels: ("zone", "a")), Node("b1", labels: ("zone", "b"))], Running(web, "a1", 2));
        var result = Scheduler.Schedule(cluster, Slots(web, 3, first: 3));
        // Zone a has 2; the next two even zone b out, the last goes to either (a, by value order) on its emptier node.
        Assert.Equal(new Dictionary<string, int> { ["a1"] = 0, ["a2"] = 1, ["b1"] = 2 }, PerNode(cluster, result, web));
    }

    [Fact]
    public void ABranchThatRunsOutOfRoomLeavesTheRestToTheOthers()
    {
        var cluster = new ClusterSnapshot([Node("a1", memoryGi: 1, labels: ("zone", "a")), Node("b1", labels: ("zone", "b")), Node("c1", labels: ("zone", "c"))], []);
        var web = Swarm("web", memoryBytes: Gi, preferences: ["node.labels.zone"]);
        var result = Scheduler.Schedule(cluster, Slots(web, 6));
        Assert.Empty(result.Pending);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 3, ["c"] = 2 }, PerZone(cluster, result, web));
    }

    [Fact]
    public void PreferencesNestAsATree()
    {
        var nodes = new[]
        {
            Node("r1", labels: [("dc", "one"), ("rack", "1")]), Node("r2", labels: [("dc", "one"), ("rack", "2")]),
            Node("r3", labels: [("dc", "two"), ("rack", "3")]),
        };
        var cluster = new ClusterSnapshot(nodes, []);
        var web = Swarm("web", preferences: ["node.labels.dc", "node.labels.rack"]);
        var result = Scheduler.Schedule(cluster, Slots(web, 4));
        // Two per datacenter; within dc one, one per rack.
        Assert.Equal(new Dictionary<string, int> { ["r1"] = 1, ["r2"] = 1, ["r3"] = 2 }, PerNode(cluster, result, web));
    }

    [Fact]
    public void EngineLabelsCanBeSpreadOverToo()
    {
        var a = Node("a") with { EngineLabels = Map(("storage", "ssd")) };
        var b = Node("b") with { EngineLabels = Map(("storage", "ssd")) };
        var c = Node("c") with { EngineLabels = Map(("storage", "hdd")) };
        var cluster = new ClusterSnapshot([a, b, c], []);
        var web = Swarm("web", preferences: ["engine.labels.storage"]);
        var result = Scheduler.Schedule(cluster, Slots(web, 2));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 0, ["c"] = 1 }, PerNode(cluster, result, web));
    }

    [Fact]
    public void ConstraintsStillApplyWithinBranches()
    {
        var cluster = new ClusterSnapshot([Node("a1", role: NodeRole.Manager, labels: ("zone", "a")), Node("a2", labels: ("zone", "a")), Node("b1", labels: ("zone", "b"))], []);
        var web = Swarm("web", constraints: ["node.role==worker"], preferences: ["node.labels.zone"]);
        var result = Scheduler.Schedule(cluster, Slots(web, 4));
        Assert.Equal(new Dictionary<string, int> { ["a1"] = 0, ["a2"] = 2, ["b1"] = 2 }, PerNode(cluster, result, web));
    }
}
