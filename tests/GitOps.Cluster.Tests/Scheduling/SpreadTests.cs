using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Model;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Swarm's default spread: fewest tasks of the service first, then fewest tasks overall, then hostname order.</summary>
public sealed class SpreadTests
{
    [Fact]
    public void ReplicasSpreadEvenlyOverEmptyNodes()
    {
        var cluster = new ClusterSnapshot([Node("a"), Node("b"), Node("c")], []);
        var web = Swarm("web");
        var result = Scheduler.Schedule(cluster, Slots(web, 7));
        Assert.Empty(result.Pending);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3, ["b"] = 2, ["c"] = 2 }, PerNode(cluster, result, web));
    }

    [Fact]
    public void FewestTasksOfTheServiceComesBeforeFewestTasksOverall()
    {
        var web = Swarm("web");
        var other = Swarm("other");
        // a: 1 web; b: 0 web but 5 others; c: 1 web, 0 others. The next web task goes to b despite its load.
        var cluster = new ClusterSnapshot([Node("a"), Node("b"), Node("c")],
            [.. Running(web, "a", 1), .. Running(other, "b", 5), .. Running(web, "c", 1, firstSlot: 2)]);
        var result = Scheduler.Schedule(cluster, Slots(web, 1, first: 3));
        Assert.Equal("b", NodeOf(cluster, result, "web.3"));
    }

    [Fact]
    public void TiesOnTheServiceAreBrokenByTheFewestTasksOverall()
    {
        var web = Swarm("web");
        var other = Swarm("other");
        var cluster = new ClusterSnapshot([Node("a"), Node("b"), Node("c")], [.. Running(other, "a", 2), .. Running(other, "b", 1), .. Running(other, "c", 3)]);
        var result = Scheduler.Schedule(cluster, Slots(web, 2));
        Assert.Equal("b", NodeOf(cluster, result, "web.1"));
        Assert.Equal("a", NodeOf(cluster, result, "web.2"));
    }

    [Fact]
    public void EqualNodesAreTakenInHostnameOrderWhateverOrderTheyAreListedIn()
    {
        var web = Swarm("web");
        var one = Scheduler.Schedule(new ClusterSnapshot([Node("c"), Node("a"), Node("b")], []), Slots(web, 1));
        var two = Scheduler.Schedule(new ClusterSnapshot([Node("b"), Node("c"), Node("a")], []), Slots(web, 1));
        Assert.Equal("id-a", one.Assignments.Single().NodeId);
        Assert.Equal("id-a", two.Assignments.Single().NodeId);
    }

    [Fact]
    public void LaterRequestsSeeEarlierPlacementsOfThePass()
    {
        var cluster = new ClusterSnapshot([Node("a"), Node("b")], []);
        var first = Swarm("first");
        var second = Swarm("second");
        var result = Scheduler.Schedule(cluster, Slots(first, 3), Slots(second, 1));
        // first: a, b, a; second then prefers b, which holds fewer tasks overall.
        Assert.Equal("b", NodeOf(cluster, result, "second.1"));
    }

    [Fact]
    public void NodesWithAPreferNoScheduleTaintAreALastResort()
    {
        var avoided = Node("a") with { Taints = [new Taint("spot", "true", TaintEffect.PreferNoSchedule)] };
        var cluster = new ClusterSnapshot([avoided, Node("b"), Node("c")], []);
        var web = Swarm("web");
        var result = Scheduler.Schedule(cluster, Slots(web, 4));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 0, ["b"] = 2, ["c"] = 2 }, PerNode(cluster, result, web));

        // ...but still used when nothing else fits, and not avoided by a pod that tolerates the taint.
        var full = new ClusterSnapshot([avoided, Node("b") with { Availability = NodeAvailability.Pause }], []);
        Assert.Equal("a", NodeOf(full, Scheduler.Schedule(full, Slots(web, 1)), "web.1"));
        var tolerant = Kube("spot", placement: KubePlacement(tolerations: [Tolerate("spot", "true", TaintEffect.PreferNoSchedule)]));
        Assert.Equal("a", NodeOf(cluster, Scheduler.Schedule(cluster, Slots(tolerant, 1)), "spot.1"));
    }

    [Fact]
    public void TenThousandTasksOnFiveHundredNodesAreSpreadEvenly()
    {
        var nodes = Enumerable.Range(0, 500).Select(i => Node($"n{i:000}", cpus: 64, memoryGi: 256)).ToList();
        var cluster = new ClusterSnapshot(nodes, []);
        var services = Enumerable.Range(0, 100).Select(i => Swarm($"s{i}", nanoCpus: Cpu / 10, memoryBytes: 64L * 1024 * 1024)).ToList();
        var result = Scheduler.Schedule(cluster, services.Select(s => Slots(s, 100)));
        Assert.Empty(result.Pending);
        Assert.Equal(10_000, result.Assignments.Count);
        var perNode = result.Assignments.GroupBy(a => a.NodeId).Select(g => g.Count()).ToList();
        Assert.Equal(500, perNode.Count);
        Assert.All(perNode, c => Assert.Equal(20, c));
        // No service has more than one task more on a node than on any other.
        foreach (var s in services)
        {
            var counts = PerNode(cluster, result, s).Values.ToList();
            Assert.True(counts.Max() - counts.Min() <= 1, $"{s} is spread unevenly: {counts.Min()}..{counts.Max()}");
        }
    }
}
