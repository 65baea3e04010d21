using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Model;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Required pod anti-affinity: on kubernetes.io/hostname (one node per pod) and on other topology keys.</summary>
public sealed class AntiAffinityTests
{
    private static ServiceRequirements Web(string topology = PodAffinityTerm.HostnameTopology, string app = "app") =>
        Kube("web", app: app, placement: KubePlacement(antiAffinity: [AntiAffinity("app", "web", topology)]), podLabels: ("app", "web"));

    [Fact]
    public void ReplicasThatRepelEachOtherTakeOneNodeEach()
    {
        var cluster = new ClusterSnapshot([Node("a"), Node("b"), Node("c")], []);
        var web = Web();
        var result = Scheduler.Schedule(cluster, Slots(web, 4));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 1 }, PerNode(cluster, result, web));
        Assert.Equal("no suitable node (pod anti-affinity rules not satisfied on 3 nodes)", result.PendingOf("web.4")!.Reason);
    }

    [Fact]
    public void PodsAlreadyRunningCount()
    {
        var web = Web();
        var cluster = new ClusterSnapshot([Node("a"), Node("b"), Node("c")], Running(web, "b", 1));
        var result = Scheduler.Schedule(cluster, Slots(web, 2, first: 2));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 0, ["c"] = 1 }, PerNode(cluster, result, web));
    }

    [Fact]
    public void ATermCanRepelAnotherServicesPods()
    {
        var cache = Kube("cache", podLabels: ("app", "cache"));
        var web = Kube("web", placement: KubePlacement(antiAffinity: [AntiAffinity("app", "cache")]), podLabels: ("app", "web"));
        var cluster = new ClusterSnapshot([Node("a"), Node("b")], Running(cache, "a", 1));
        var result = Scheduler.Schedule(cluster, Slots(web, 3));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 0, ["b"] = 3 }, PerNode(cluster, result, web));
    }

    [Fact]
    public void ExistingPodsTermsRepelNewPodsTheySelect()
    {
        // Symmetry: the cache has the term, the web pod has none, yet the web pod keeps off the cache's node.
        var cache = Kube("cache", placement: KubePlacement(antiAffinity: [AntiAffinity("app", "web")]), podLabels: ("app", "cache"));
        var web = Kube("web", podLabels: ("app", "web"));
        var cluster = new ClusterSnapshot([Node("a"), Node("b")], Running(cache, "a", 1));
        var result = Scheduler.Schedule(cluster, Slots(web, 2));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 0, ["b"] = 2 }, PerNode(cluster, result, web));
    }

    [Fact]
    public void OtherApplicationsPodsDoNotCount()
    {
        var web = Web();
        var elsewhere = Web(app: "other");
        var cluster = new ClusterSnapshot([Node("a")], Running(elsewhere, "a", 1));
        Assert.Single(Scheduler.Schedule(cluster, Slots(web, 1)).Assignments);
    }

    [Fact]
    public void AZoneTopologyKeepsOnePodPerZoneAndIgnoresNodesWithoutTheLabel()
    {
        var cluster = new ClusterSnapshot(
            [Node("a1", labels: ("topology.kubernetes.io/zone", "a")), Node("a2", labels: ("topology.kubernetes.io/zone", "a")), Node("b1", labels: ("topology.kubernetes.io/zone", "b")), Node("bare")],
            []);
        var web = Web("topology.kubernetes.io/zone");
        var result = Scheduler.Schedule(cluster, Slots(web, 5));
        var placed = PerNode(cluster, result, web);
        Assert.Equal(1, placed["a1"] + placed["a2"]);
        Assert.Equal(1, placed["b1"]);
        // A node outside every zone is in no domain: the term never forbids it.
        Assert.Equal(3, placed["bare"]);
        Assert.Empty(result.Pending);
    }

    [Fact]
    public void SelectorsUseKubernetesOperators()
    {
        var selector = new PodSelector(default, [new SelectorRequirement("tier", SelectorOperator.In, ["db", "cache"]), new SelectorRequirement("canary", SelectorOperator.DoesNotExist, default)]);
        Assert.True(selector.Matches(Map(("tier", "db"))));
        Assert.False(selector.Matches(Map(("tier", "db"), ("canary", "1"))));
        Assert.False(selector.Matches(Map(("tier", "web"))));
        Assert.True(new PodSelector(default, default).Matches(Map()));
    }
}
