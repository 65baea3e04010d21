using System.Net;
using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Model;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Swarm constraints, Kubernetes nodeSelector and required node affinity.</summary>
public sealed class ConstraintTests
{
    private static readonly NodeDescription Manager = Node("m1", role: NodeRole.Manager, labels: [("zone", "East"), ("disk", "ssd")]) with
    {
        EngineLabels = Map(("gpu", "yes")),
        Address = IPAddress.Parse("10.0.0.5"),
    };

    private static readonly NodeDescription Worker = Node("w1", labels: [("zone", "west"), ("rank", "7")]) with
    {
        Address = IPAddress.Parse("10.0.1.9"),
        Arch = "arm64",
    };

    private static string? Where(ServiceRequirements s)
    {
        var cluster = new ClusterSnapshot([Manager, Worker], []);
        var result = Scheduler.Schedule(cluster, Slots(s, 1));
        return result.Assignments.SingleOrDefault() is { } a ? cluster.Node(a.NodeId)!.Hostname : null;
    }

    [Theory]
    [InlineData("node.role==manager", "m1")]
    [InlineData("node.role == worker", "w1")]
    [InlineData("node.role!=manager", "w1")]
    [InlineData("node.hostname==w1", "w1")]
    [InlineData("node.hostname!=m1", "w1")]
    [InlineData("node.id==id-m1", "m1")]
    [InlineData("node.labels.zone==east", "m1")] // values compare case-insensitively, as in Swarm
    [InlineData("node.labels.zone!=east", "w1")]
    [InlineData("node.labels.disk!=ssd", "w1")] // a missing label is "", which != matches
    [InlineData("engine.labels.gpu==yes", "m1")]
    [InlineData("node.platform.os==linux", "m1")]
    [InlineData("node.platform.arch==aarch64", "w1")] // Docker's and Go's architecture names both work
    [InlineData("node.platform.arch==x86_64", "m1")]
    [InlineData("node.ip==10.0.1.9", "w1")]
    [InlineData("node.ip!=10.0.0.0/24", "w1")]
    [InlineData("node.ip==10.0.0.0/24", "m1")]
    public void SwarmConstraintsSelectNodes(string constraint, string node) =>
        Assert.Equal(node, Where(Swarm("web", constraints: [constraint])));

    [Fact]
    public void AllConstraintsMustHold()
    {
        Assert.Equal("m1", Where(Swarm("web", constraints: ["node.role==manager", "node.labels.disk==ssd"])));
        Assert.Null(Where(Swarm("web", constraints: ["node.role==manager", "node.labels.zone==west"])));
    }

    [Fact]
    public void AnUnsatisfiableConstraintLeavesTheTaskPendingWithSwarmsReason()
    {
        var cluster = new ClusterSnapshot([Manager, Worker, Node("w2")], []);
        var result = Scheduler.Schedule(cluster, Slots(Swarm("web", constraints: ["node.labels.zone==north"]), 2));
        Assert.Empty(result.Assignments);
        Assert.Equal(2, result.Pending.Count);
        Assert.All(result.Pending, p => Assert.Equal("no suitable node (scheduling constraints not satisfied on 3 nodes)", p.Reason));
        Assert.Equal([new ReasonCount("scheduling constraints not satisfied on 3 nodes", 3)], result.Pending[0].Counts);
    }

    [Fact]
    public void NodeSelectorMatchesLabelsExactlyAndKnowsTheWellKnownOnes()
    {
        Assert.Equal("w1", Where(Kube("web", placement: KubePlacement(nodeSelector: Map(("zone", "west"))))));
        Assert.Null(Where(Kube("web", placement: KubePlacement(nodeSelector: Map(("zone", "east")))))); // "East" on m1: Kubernetes is case-sensitive
        Assert.Equal("m1", Where(Kube("web", placement: KubePlacement(nodeSelector: Map(("kubernetes.io/hostname", "m1"))))));
        Assert.Equal("w1", Where(Kube("web", placement: KubePlacement(nodeSelector: Map(("kubernetes.io/arch", "arm64"))))));
        Assert.Equal("m1", Where(Kube("web", placement: KubePlacement(nodeSelector: Map(("kubernetes.io/os", "linux"), ("disk", "ssd"))))));
    }

    private static SelectorRequirement Req(string key, SelectorOperator op, params string[] values) => new(key, op, [.. values]);

    private static NodeSelectorTerm Term(params SelectorRequirement[] expressions) => new([.. expressions], default);

    [Fact]
    public void NodeAffinityTermsAreOredAndTheirExpressionsAnded()
    {
        ServiceRequirements With(params NodeSelectorTerm[] terms) => Kube("web", placement: KubePlacement(affinity: terms));
        Assert.Equal("w1", Where(With(Term(Req("zone", SelectorOperator.In, "west", "south")))));
        Assert.Equal("w1", Where(With(Term(Req("zone", SelectorOperator.NotIn, "East")))));
        Assert.Equal("m1", Where(With(Term(Req("disk", SelectorOperator.Exists)))));
        Assert.Equal("w1", Where(With(Term(Req("disk", SelectorOperator.DoesNotExist)))));
        Assert.Equal("w1", Where(With(Term(Req("rank", SelectorOperator.Gt, "5")))));
        Assert.Null(Where(With(Term(Req("rank", SelectorOperator.Lt, "5")))));
        Assert.Null(Where(With(Term(Req("zone", SelectorOperator.Gt, "5"))))); // not an integer: no match
        // ANDed within a term: no node is both.
        Assert.Null(Where(With(Term(Req("disk", SelectorOperator.Exists), Req("zone", SelectorOperator.In, "west")))));
        // ORed across terms.
        Assert.Equal("m1", Where(With(Term(Req("zone", SelectorOperator.In, "nowhere")), Term(Req("disk", SelectorOperator.In, "ssd")))));
        // An empty term matches nothing.
        Assert.Null(Where(With(new NodeSelectorTerm(default, default))));
        // matchFields on the node's name.
        Assert.Equal("w1", Where(With(new NodeSelectorTerm(default, [Req(NodeSelectorTerm.NodeNameField, SelectorOperator.In, "w1")]))));
        Assert.Equal("m1", Where(With(new NodeSelectorTerm(default, [Req(NodeSelectorTerm.NodeNameField, SelectorOperator.NotIn, "w1")]))));
    }

    [Fact]
    public void NodeSelectorAndAffinityMustBothHold()
    {
        var both = Kube("web", placement: KubePlacement(nodeSelector: Map(("disk", "ssd")), affinity: [Term(Req("zone", SelectorOperator.In, "west"))]));
        Assert.Null(Where(both));
    }

    [Fact]
    public void AnInvalidConstraintNeverMatches()
    {
        // Loading rejects these; a request built by hand with one is treated as swarmkit does: it matches nothing.
        var bad = new ServiceRequirements("app", "web", placement: new Placement(["node.colour==red"], default));
        Assert.Null(Where(bad));
    }
}
