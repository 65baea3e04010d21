using GitOps.Reconciler.Hashing;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rendering;

namespace GitOps.Reconciler.Tests.Model;

/// <summary>
/// Placement fields of both formats reach the model (constraints, preferences, max per node, reservations,
/// nodeSelector, nodeName, node affinity, pod anti-affinity, tolerations, the data-loss opt-in), are checked at
/// load with file and line, and survive render → load → render.
/// </summary>
public sealed class PlacementMappingTests
{
    private const string Stack = """
        services:
          web:
            image: nginx
            deploy:
              replicas: 6
              labels:
                gitops.io/reschedule-with-data-loss: "true"
              placement:
                constraints:
                  - node.role == worker
                  - "Node.Labels.zone!=east"
                  - engine.labels.storage==ssd
                preferences:
                  - spread: node.labels.zone
                  - spread: engine.labels.rack
                max_replicas_per_node: 2
              resources:
                reservations: {cpus: "0.25", memory: 64M}
        """;

    private const string Pods = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
          annotations: {gitops.io/reschedule-with-data-loss: "false"}
        spec:
          replicas: 3
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              nodeSelector: {disktype: ssd}
              nodeName: node-1
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms:
                      - matchExpressions:
                          - {key: topology.kubernetes.io/zone, operator: In, values: [a, b]}
                          - {key: cores, operator: Gt, values: ["4"]}
                      - matchFields:
                          - {key: metadata.name, operator: NotIn, values: [node-9]}
                podAntiAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - labelSelector:
                        matchLabels: {app: api}
                        matchExpressions: [{key: canary, operator: DoesNotExist}]
                      topologyKey: kubernetes.io/hostname
              tolerations:
                - {key: dedicated, operator: Equal, value: api, effect: NoSchedule}
                - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
                - {operator: Exists}
              containers:
                - name: api
                  image: api:1
                  resources: {requests: {cpu: 250m, memory: 64Mi}}
        """;

    [Fact]
    public void StackPlacementReachesTheModelInCanonicalForm()
    {
        var result = Load.Yaml("docker-stack.yml", Stack);
        Load.AssertValid(result, "stack");
        var web = result.Application!.Services["web"];
        Assert.Equal(["engine.labels.storage==ssd", "node.labels.zone!=east", "node.role==worker"], web.Placement.Constraints);
        Assert.Equal(["spread=node.labels.zone", "spread=engine.labels.rack"], web.Placement.Preferences);
        Assert.Equal(2, web.Replication.MaxPerNode);
        Assert.True(web.Placement.RescheduleWithDataLoss);
        Assert.Equal((250_000_000L, 64L * 1024 * 1024), (web.Template.Containers[0].Resources.CpuReservation!.Value, web.Template.Containers[0].Resources.MemoryReservation!.Value));
    }

    [Fact]
    public void ZeroMaxReplicasIsNoLimitAsInSwarm()
    {
        var zero = Load.Yaml("docker-stack.yml", "services:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        max_replicas_per_node: 0\n");
        var none = Load.Yaml("docker-stack.yml", "services:\n  web:\n    image: nginx\n");
        Assert.Equal(none.Application!.Services["web"], zero.Application!.Services["web"]);
    }

    [Fact]
    public void KubernetesPlacementReachesTheModel()
    {
        var result = Load.Yaml("api.yaml", Pods);
        Load.AssertValid(result, "pods");
        var p = result.Application!.Services["api"].Placement;
        Assert.Equal("ssd", p.NodeSelector["disktype"]);
        Assert.Equal("node-1", p.NodeName);
        Assert.Equal(2, p.NodeAffinity.Count);
        Assert.Equal(new SelectorRequirement("cores", SelectorOperator.Gt, ["4"]), p.NodeAffinity[0].MatchExpressions[1]);
        Assert.Equal(new SelectorRequirement("metadata.name", SelectorOperator.NotIn, ["node-9"]), p.NodeAffinity[1].MatchFields.Single());
        var anti = p.PodAntiAffinity.Single();
        Assert.Equal(("kubernetes.io/hostname", "api"), (anti.TopologyKey, anti.Selector.MatchLabels["app"]));
        Assert.Equal(SelectorOperator.DoesNotExist, anti.Selector.MatchExpressions.Single().Operator);
        Assert.Equal(
            [
                new Toleration("dedicated", TolerationOperator.Equal, "api", TaintEffect.NoSchedule, null),
                new Toleration("node.kubernetes.io/unreachable", TolerationOperator.Exists, null, TaintEffect.NoExecute, 30),
                new Toleration(null, TolerationOperator.Exists, null, null, null),
            ],
            p.Tolerations);
        Assert.False(p.RescheduleWithDataLoss);
        Assert.Empty(p.Constraints);
        Assert.DoesNotContain(result.Warnings, w => w.Message.Contains("affinity", StringComparison.Ordinal) || w.Message.Contains("tolerations", StringComparison.Ordinal));
    }

    [Fact]
    public void TheOptInAnnotationWorksOnThePodTemplateToo()
    {
        var yaml = Pods.Replace("annotations: {gitops.io/reschedule-with-data-loss: \"false\"}", "labels: {tier: api}", StringComparison.Ordinal)
            .Replace("metadata: {labels: {app: api}}", "metadata: {labels: {app: api}, annotations: {gitops.io/reschedule-with-data-loss: \"true\"}}", StringComparison.Ordinal);
        Assert.True(Load.Yaml("api.yaml", yaml).Application!.Services["api"].Placement.RescheduleWithDataLoss);
    }

    [Theory]
    [InlineData("node.colour==red", 7, "invalid constraint \"node.colour==red\": unknown attribute 'node.colour' (expected node.id, node.hostname, node.role, node.ip, node.platform.os, node.platform.arch, node.labels.<name>, engine.labels.<name>)")]
    [InlineData("node.role=manager", 7, "invalid constraint \"node.role=manager\": expected one operator from ==, !=")]
    [InlineData("node.role==boss", 7, "invalid constraint \"node.role==boss\": node.role is 'manager' or 'worker', not 'boss'")]
    [InlineData("node.ip==10.0.0.300", 7, "invalid constraint \"node.ip==10.0.0.300\": node.ip takes an address or a CIDR subnet such as 10.0.0.0/24, not '10.0.0.300'")]
    [InlineData("node.labels.zone==a=b", 7, "invalid constraint \"node.labels.zone==a=b\": value 'a=b' is invalid")]
    [InlineData("node.labels.a b==x", 7, "invalid constraint \"node.labels.a b==x\": key 'node.labels.a b' is invalid")]
    public void ABadConstraintIsAnErrorAtItsLine(string constraint, int line, string message)
    {
        var yaml = $"services:\n  web:\n    image: nginx\n    deploy:\n      placement:\n        constraints:\n          - \"{constraint}\"\n";
        var error = Load.SingleError(Load.Yaml("docker-stack.yml", yaml));
        Assert.Equal(("docker-stack.yml", line, 13, "services.web.deploy.placement.constraints[0]", message, "deploy.constraint"),
            (Path.GetFileName(error.File), error.Line, error.Column, error.Path, error.Message, error.Code));
    }

    [Fact]
    public void OtherPlacementMistakesAreErrorsAtTheirLines()
    {
        var yaml = """
            services:
              web:
                image: nginx
                deploy:
                  mode: global
                  labels: {gitops.io/reschedule-with-data-loss: "maybe"}
                  placement:
                    max_replicas_per_node: 2
                    preferences:
                      - spread: node.hostname
            """;
        var result = Load.Yaml("docker-stack.yml", yaml);
        Assert.Null(result.Application);
        var errors = result.Errors.Select(e => (e.Line, e.Message)).OrderBy(e => e.Line).ToList();
        Assert.Equal(
            [
                (6, "gitops.io/reschedule-with-data-loss takes \"true\" or \"false\", got \"maybe\""),
                (8, "max_replicas_per_node can only be used with replicated mode, not global"),
                (10, "invalid placement preference \"spread=node.hostname\": spread takes node.labels.<name> or engine.labels.<name>"),
            ],
            errors);
    }

    [Fact]
    public void KubernetesPlacementMistakesAreErrorsAtTheirLines()
    {
        var yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              nodeSelector: {"bad key!": x}
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms:
                      - matchExpressions:
                          - {key: zone, operator: In}
                          - {key: zone, operator: Exists, values: [a]}
                          - {key: cores, operator: Gt, values: [many]}
                          - {key: zone, operator: Near, values: [a]}
                        matchFields:
                          - {key: metadata.labels, operator: In, values: [x]}
                podAntiAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - {labelSelector: {matchLabels: {app: web}}, topologyKey: ""}
              tolerations:
                - {key: a, operator: Exists, value: x}
                - {operator: Equal, value: x}
                - {key: b, effect: NoSchedule, tolerationSeconds: 5}
                - {key: c, effect: Sometimes}
              containers:
                - {name: web, image: nginx}
            """;
        var result = Load.Yaml("pod.yaml", yaml);
        Assert.Null(result.Application);
        var errors = result.Errors.Select(e => (e.Line, e.Message)).OrderBy(e => e.Line).ThenBy(e => e.Message, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                (5, "'bad key!' is not a valid label key"),
                (11, "operator In needs at least one value"),
                (12, "operator Exists takes no values"),
                (13, "operator Gt takes exactly one integer value"),
                (14, "expected one of 'In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', got \"Near\""),
                (16, "matchFields only supports 'metadata.name', not 'metadata.labels'"),
                (19, "a pod anti-affinity term needs a topologyKey that is a label key, such as kubernetes.io/hostname"),
                (21, "a toleration with operator Exists takes no value"),
                (22, "a toleration without a key must use operator Exists (it then tolerates every taint)"),
                (23, "tolerationSeconds needs effect NoExecute"),
                (24, "expected one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute', got \"Sometimes\""),
            ],
            errors);
    }

    [Fact]
    public void WhatGitopsDoesNotScheduleByIsReported()
    {
        var yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              affinity:
                podAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - {labelSelector: {matchLabels: {app: db}}, topologyKey: kubernetes.io/hostname}
                podAntiAffinity:
                  preferredDuringSchedulingIgnoredDuringExecution:
                    - weight: 100
                      podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
                  requiredDuringSchedulingIgnoredDuringExecution:
                    - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname, namespaces: [other]}
              containers:
                - {name: web, image: nginx}
            """;
        var result = Load.Yaml("pod.yaml", yaml);
        Load.AssertValid(result, "pod");
        var warnings = result.Warnings.Select(w => (w.Line, w.Message)).OrderBy(w => w.Line).ToList();
        Assert.Contains((6, "podAffinity is not supported by gitops and is ignored (podAntiAffinity and nodeAffinity are)"), warnings);
        Assert.Contains((10, "preferred pod anti-affinity is not supported by gitops and is ignored (replicas of a service are spread across nodes by default)"), warnings);
        Assert.Contains((14, "'namespaces' is ignored: anti-affinity terms apply to the pods of the application"), warnings);
        // The required term itself is kept, and strict mode turns the warnings into errors.
        Assert.Single(result.Application!.Services["web"].Placement.PodAntiAffinity);
        Assert.Null(Load.Yaml("pod.yaml", yaml, new LoadOptions { Strict = true }).Application);
    }

    [Theory]
    [InlineData("docker-stack.yml", Stack)]
    [InlineData("api.yaml", Pods)]
    public void PlacementRendersToAFixedPoint(string name, string text)
    {
        var first = Load.Yaml(name, text);
        Load.AssertValid(first, name);
        var rendered = YamlOutput.Write(DesiredStateWriter.Write(first.Application!));
        var second = Load.Yaml("rendered.yaml", rendered);
        Load.AssertValid(second, name + " (rendered)");
        Assert.Equal(rendered, YamlOutput.Write(DesiredStateWriter.Write(second.Application!)));
        Assert.Equal(first.Application, second.Application);
        foreach (var (key, service) in first.Application!.Services)
            Assert.Equal(SpecHash.Of(service), SpecHash.Of(second.Application!.Services[key]));
    }

    [Fact]
    public void AHandEditedDesiredStateIsCheckedToo()
    {
        var rendered = YamlOutput.Write(DesiredStateWriter.Write(Load.Yaml("docker-stack.yml", Stack).Application!))
            .Replace("node.role==worker", "node.rol==worker", StringComparison.Ordinal);
        var error = Load.SingleError(Load.Yaml("rendered.yaml", rendered));
        Assert.StartsWith("invalid constraint \"node.rol==worker\": unknown attribute 'node.rol'", error.Message);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void PlacementChangesTheSpecHashButNotTheTemplateHash()
    {
        var a = Load.Yaml("docker-stack.yml", Stack).Application!.Services["web"];
        var b = a with { Placement = a.Placement with { Constraints = ["node.role==manager"] } };
        Assert.NotEqual(SpecHash.Of(a), SpecHash.Of(b));
        Assert.Equal(SpecHash.OfTemplate(a), SpecHash.OfTemplate(b));
    }
}
