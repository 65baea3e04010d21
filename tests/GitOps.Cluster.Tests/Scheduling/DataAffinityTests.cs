using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Loading;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Slots whose data lives on a node wait for that node instead of moving to an empty volume elsewhere.</summary>
public sealed class DataAffinityTests
{
    private static readonly ServiceRequirements Db = Swarm("db");

    private static PlacementRequest Bound(ServiceRequirements s, string node) =>
        PlacementRequest.Replicated(s, [new SlotRequest("db.1", 1) { Data = new DataBinding("id-" + node, "pgdata") }]);

    [Fact]
    public void ADataBoundSlotGoesBackToItsNodeEvenIfOthersAreEmptier()
    {
        var other = Swarm("other");
        var cluster = new ClusterSnapshot([Node("a"), Node("b")], Running(other, "b", 10));
        Assert.Equal("b", NodeOf(cluster, Scheduler.Schedule(cluster, Bound(Db, "b")), "db.1"));
    }

    [Fact]
    public void ItWaitsForItsNodeWhenTheNodeIsDown()
    {
        var cluster = new ClusterSnapshot([Node("a"), Node("b") with { Up = false }], []);
        var pending = Scheduler.Schedule(cluster, Bound(Db, "b")).Pending.Single();
        Assert.Equal("waiting for node b (holds volume pgdata)", pending.Reason);

        var gone = Scheduler.Schedule(new ClusterSnapshot([Node("a")], []), Bound(Db, "b")).Pending.Single();
        Assert.Equal("waiting for node id-b (holds volume pgdata)", gone.Reason);
    }

    [Fact]
    public void ItSaysWhyItsNodeCannotTakeItNow()
    {
        var drained = new ClusterSnapshot([Node("a"), Node("b") with { Availability = NodeAvailability.Drain }], []);
        Assert.Equal("waiting for node b (holds volume pgdata): 1 node not available for new tasks", Scheduler.Schedule(drained, Bound(Db, "b")).Pending.Single().Reason);
        var full = new ClusterSnapshot([Node("a"), Node("b", memoryGi: 1)], []);
        Assert.Equal("waiting for node b (holds volume pgdata): insufficient memory on 1 node", Scheduler.Schedule(full, Bound(Swarm("db", memoryBytes: 2 * Gi), "b")).Pending.Single().Reason);
    }

    [Fact]
    public void TheOptInReleasesTheSlot()
    {
        var cluster = new ClusterSnapshot([Node("a"), Node("b") with { Up = false }], []);
        var released = Swarm("db", dataLoss: true);
        Assert.Equal("a", NodeOf(cluster, Scheduler.Schedule(cluster, Bound(released, "b")), "db.1"));
    }

    [Fact]
    public void AReplacementOfADataHoldingTaskIsBoundToItsNode()
    {
        var old = new PlacedTask("db.old", "id-b", Db, 3) { DataVolume = "pgdata" };
        var next = SlotRequest.Replacing(old, "db.new");
        Assert.Equal((3, "id-b", new DataBinding("id-b", "pgdata")), (next.Slot, next.PreviousNodeId, next.Data));
        Assert.Null(SlotRequest.Replacing(old with { Service = Swarm("db", dataLoss: true) }, "db.new").Data);
        Assert.Null(SlotRequest.Replacing(old with { DataVolume = null }, "db.new").Data);

        // Node down: the review moves the task, and its replacement waits for the node.
        var cluster = new ClusterSnapshot([Node("a"), Node("b") with { Up = false }], [old]);
        var move = TaskReview.Review(cluster).Single();
        var result = Scheduler.Schedule(cluster.Without([move.Task.Id]), PlacementRequest.Replicated(Db, [SlotRequest.Replacing(move.Task, "db.new")]));
        Assert.Equal("waiting for node b (holds volume pgdata)", result.PendingOf("db.new")!.Reason);
    }

    [Fact]
    public void LocalNamedVolumesAndClaimsHoldNodeData()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitops-sched-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "compose.yaml"), """
            services:
              db:
                image: postgres
                volumes: [pgdata:/var/lib/postgresql/data, ./conf:/etc/conf, shared:/shared, {type: tmpfs, target: /tmp}]
            volumes:
              pgdata: {}
              shared: {driver: nfs-plugin}
            """);
        var compose = ManifestLoader.Load([Path.Combine(dir, "compose.yaml")], new LoadOptions());
        Assert.True(compose.Succeeded, string.Join("\n", compose.Errors));
        Assert.Equal(["pgdata"], LocalData.VolumesOf(compose.Application!, compose.Application!.Services["db"]));

        File.WriteAllText(Path.Combine(dir, "sts.yaml"), """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers:
                    - name: db
                      image: postgres
                      volumeMounts: [{name: data, mountPath: /data}, {name: scratch, mountPath: /scratch}]
                  volumes: [{name: scratch, emptyDir: {}}]
              volumeClaimTemplates:
                - metadata: {name: data}
                  spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
            """);
        var kube = ManifestLoader.Load([Path.Combine(dir, "sts.yaml")], new LoadOptions());
        Assert.True(kube.Succeeded, string.Join("\n", kube.Errors));
        Assert.Equal(["data"], LocalData.VolumesOf(kube.Application!, kube.Application!.Services["db"]));
    }
}
