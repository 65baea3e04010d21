using GitOps.Cluster.Scheduling;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Reservations against capacity minus the reservations already there; max replicas per node; host ports.</summary>
public sealed class ResourceTests
{
    [Fact]
    public void MemoryReservationsFillNodesThenTheRestIsPending()
    {
        var cluster = new ClusterSnapshot([Node("a", memoryGi: 4), Node("b", memoryGi: 2)], []);
        var db = Swarm("db", memoryBytes: 2 * Gi);
        var result = Scheduler.Schedule(cluster, Slots(db, 4));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 }, PerNode(cluster, result, db));
        Assert.Equal("no suitable node (insufficient memory on 2 nodes)", result.PendingOf("db.4")!.Reason);
    }

    [Fact]
    public void ReservationsOfTasksAlreadyThereCount()
    {
        var big = Swarm("big", nanoCpus: 3 * Cpu);
        var web = Swarm("web", nanoCpus: 2 * Cpu);
        var cluster = new ClusterSnapshot([Node("a", cpus: 4), Node("b", cpus: 4)], [.. Running(big, "a", 1)]);
        var result = Scheduler.Schedule(cluster, Slots(web, 3));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 0, ["b"] = 2 }, PerNode(cluster, result, web));
        Assert.Equal("no suitable node (insufficient cpu on 2 nodes)", result.PendingOf("web.3")!.Reason);
    }

    [Fact]
    public void ATaskThatReservesNothingFitsEvenOnAFullNode()
    {
        var hog = Swarm("hog", memoryBytes: 8 * Gi);
        var cluster = new ClusterSnapshot([Node("a", memoryGi: 8)], [.. Running(hog, "a", 1)]);
        var result = Scheduler.Schedule(cluster, Slots(Swarm("light"), 3));
        Assert.Equal(3, result.Assignments.Count);
    }

    [Fact]
    public void ReasonsAreCountedPerNodeAndListedMostNodesFirst()
    {
        // The example: two nodes unavailable, one short of memory.
        var cluster = new ClusterSnapshot(
            [Node("a") with { Availability = NodeAvailability.Drain }, Node("b") with { Up = false }, Node("c", memoryGi: 1)], []);
        var result = Scheduler.Schedule(cluster, Slots(Swarm("db", memoryBytes: 2 * Gi), 1));
        var pending = result.Pending.Single();
        Assert.Equal("no suitable node (2 nodes not available for new tasks; insufficient memory on 1 node)", pending.Reason);
        Assert.Equal([new ReasonCount("2 nodes not available for new tasks", 2), new ReasonCount("insufficient memory on 1 node", 1)], pending.Counts);
    }

    [Fact]
    public void ReadinessIsCheckedBeforeResourcesAndResourcesBeforeConstraints()
    {
        // Swarm's pipeline order: each node counts under the first check it fails.
        // d is both too small and a manager: it counts as short of memory, not as outside the constraints.
        var cluster = new ClusterSnapshot(
            [Node("a", memoryGi: 1) with { Availability = NodeAvailability.Pause }, Node("b", memoryGi: 1), Node("c", role: NodeRole.Manager), Node("d", memoryGi: 1, role: NodeRole.Manager)], []);
        var result = Scheduler.Schedule(cluster, Slots(Swarm("db", memoryBytes: 2 * Gi, constraints: ["node.role==worker"]), 1));
        Assert.Equal("no suitable node (insufficient memory on 2 nodes; 1 node not available for new tasks; scheduling constraints not satisfied on 1 node)", result.Pending.Single().Reason);
    }

    [Fact]
    public void NoNodesAtAllIsNoSuitableNode() =>
        Assert.Equal("no suitable node", Scheduler.Schedule(new ClusterSnapshot([], []), Slots(Swarm("web"), 1)).Pending.Single().Reason);

    [Fact]
    public void MaxReplicasPerNodeCapsEachNode()
    {
        var web = Swarm("web", maxPerNode: 2);
        var cluster = new ClusterSnapshot([Node("a"), Node("b")], [.. Running(web, "a", 1)]);
        var result = Scheduler.Schedule(cluster, Slots(web, 4, first: 2));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, PerNode(cluster, result, web));
        // Swarm's words, which carry no count.
        Assert.Equal("no suitable node (max replicas per node limit exceed)", result.PendingOf("web.5")!.Reason);
    }

    [Fact]
    public void AHostPortIsHeldByOneTaskPerNode()
    {
        var port = new HostPort("tcp", 8080);
        var edge = Swarm("edge", ports: [port]);
        var other = Swarm("other", ports: [port]);
        var cluster = new ClusterSnapshot([Node("a"), Node("b"), Node("c")], [.. Running(other, "c", 1)]);
        var result = Scheduler.Schedule(cluster, Slots(edge, 3));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 0 }, PerNode(cluster, result, edge));
        Assert.Equal("no suitable node (host-mode port already in use on 3 nodes)", result.PendingOf("edge.3")!.Reason);

        // Another protocol or port is no conflict.
        var udp = Swarm("dns", ports: [new HostPort("udp", 8080)]);
        Assert.Equal(3, Scheduler.Schedule(cluster, Slots(udp, 3)).Assignments.Count);
    }

    [Fact]
    public void RequirementsFromTheModelSumContainersAndTakeTheBiggestInitContainer()
    {
        var result = GitOps.Reconciler.Loading.ManifestLoader.Load([Write("pod.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, labels: {app: web}}
            spec:
              initContainers:
                - {name: init, image: busybox, resources: {requests: {cpu: "3", memory: 64Mi}}}
              containers:
                - {name: a, image: busybox, resources: {requests: {cpu: 500m, memory: 128Mi}}, ports: [{containerPort: 80, hostPort: 8080}]}
                - {name: b, image: busybox, resources: {limits: {cpu: "1", memory: 256Mi}}}
            """)], new GitOps.Reconciler.Loading.LoadOptions());
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var s = ServiceRequirements.From("app", result.Application!.Services["web"]);
        Assert.Equal(3 * Cpu, s.NanoCpus); // the init container's 3 CPUs beat 0.5 + 1
        Assert.Equal(384L * 1024 * 1024, s.MemoryBytes); // 128Mi + 256Mi (requests default to limits) beat 64Mi
        Assert.Equal([new HostPort("tcp", 8080)], s.HostPorts);
        Assert.Equal("web", s.PodLabels["app"]);
        Assert.True(s.Kubernetes);
    }

    private static string Write(string name, string text)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitops-sched-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
