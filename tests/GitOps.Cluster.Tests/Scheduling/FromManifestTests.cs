using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using static GitOps.Cluster.Tests.Scheduling.Fleet;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>From manifest to placement: what the loaders put in the model is what the scheduler acts on.</summary>
public sealed class FromManifestTests
{
    private static Application Load(string name, string text)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitops-sched-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name), text);
        var result = ManifestLoader.Load([Path.Combine(dir, name)], new LoadOptions());
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Application!;
    }

    [Fact]
    public void AStackServicesPlacementDecidesWhereItsReplicasGo()
    {
        var app = Load("docker-stack.yml", """
            services:
              web:
                image: nginx
                deploy:
                  replicas: 5
                  placement:
                    constraints: [node.role == worker]
                    preferences: [{spread: node.labels.zone}]
                    max_replicas_per_node: 2
                  resources:
                    reservations: {memory: 1G}
            """);
        var web = ServiceRequirements.From("shop", app.Services["web"]);
        var cluster = new ClusterSnapshot(
            [Node("m", role: NodeRole.Manager, labels: ("zone", "a")), Node("a1", labels: ("zone", "a")), Node("b1", labels: ("zone", "b")), Node("b2", labels: ("zone", "b"))], []);
        var result = Scheduler.Schedule(cluster, Slots(web, 5));
        // Zone a has one worker, capped at 2; zone b takes the rest, spread over its nodes.
        Assert.Equal(new Dictionary<string, int> { ["m"] = 0, ["a1"] = 2, ["b1"] = 2, ["b2"] = 1 }, PerNode(cluster, result, web));
        Assert.Equal(1L << 30, web.MemoryBytes);
    }

    [Fact]
    public void ADeploymentsAntiAffinityAndTolerationsDecideWhereItsPodsGo()
    {
        var app = Load("web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  affinity:
                    podAntiAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                        - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
                  tolerations:
                    - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
                  containers:
                    - {name: web, image: nginx}
            """);
        var web = ServiceRequirements.From("shop", app.Services["web"]);
        var dedicated = Node("d") with { Taints = [new Taint("dedicated", "web", TaintEffect.NoSchedule)] };
        var other = Node("o") with { Taints = [new Taint("dedicated", "db", TaintEffect.NoSchedule)] };
        var cluster = new ClusterSnapshot([dedicated, other, Node("a")], []);
        var result = Scheduler.Schedule(cluster, Slots(web, 3));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["d"] = 1, ["o"] = 0 }, PerNode(cluster, result, web));
        Assert.Equal("no suitable node (pod anti-affinity rules not satisfied on 2 nodes; untolerated taint dedicated=db:NoSchedule on 1 node)", result.PendingOf("web.3")!.Reason);
    }
}
