using GitOps.Cluster.Scheduling;
using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Tests.Scheduling;

/// <summary>Shortcuts for building nodes, services and requests in scheduler tests. Node ids are "id-" + hostname, so tests can tell them apart.</summary>
internal static class Fleet
{
    public const long Gi = 1024L * 1024 * 1024;
    public const long Cpu = 1_000_000_000;

    public static NodeDescription Node(string name, long cpus = 4, long memoryGi = 8, NodeRole role = NodeRole.Worker, params (string Key, string Value)[] labels) =>
        new("id-" + name, name)
        {
            Role = role,
            NanoCpus = cpus * Cpu,
            MemoryBytes = memoryGi * Gi,
            Labels = Map(labels),
        };

    public static ValueMap<string> Map(params (string Key, string Value)[] pairs) => new(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    public static ServiceRequirements Swarm(string name, string app = "app", int? maxPerNode = null, long nanoCpus = 0, long memoryBytes = 0,
        string[]? constraints = null, string[]? preferences = null, IEnumerable<HostPort>? ports = null, bool global = false, bool dataLoss = false) =>
        new(app, name, SourceFormat.Stack, global ? ReplicationMode.Global : ReplicationMode.Replicated, maxPerNode,
            new Placement([.. (constraints ?? []).Select(Canonical)], [.. (preferences ?? []).Select(p => "spread=" + p)]) { RescheduleWithDataLoss = dataLoss },
            nanoCpus, memoryBytes, ports);

    public static ServiceRequirements Kube(string name, string app = "app", Placement? placement = null, bool daemon = false, long nanoCpus = 0, long memoryBytes = 0,
        params (string Key, string Value)[] podLabels) =>
        new(app, name, SourceFormat.Kubernetes, daemon ? ReplicationMode.Global : ReplicationMode.Replicated, null, placement, nanoCpus, memoryBytes, null, Map(podLabels));

    public static Placement KubePlacement(
        IEnumerable<Toleration>? tolerations = null, IEnumerable<PodAffinityTerm>? antiAffinity = null, IEnumerable<NodeSelectorTerm>? affinity = null,
        ValueMap<string> nodeSelector = default, string? nodeName = null) =>
        new(default, default, nodeSelector, nodeName, [.. affinity ?? []], [.. antiAffinity ?? []], [.. tolerations ?? []], false);

    public static Toleration Tolerate(string? key, string? value = null, TaintEffect? effect = null, long? seconds = null) =>
        new(key, value is null ? TolerationOperator.Exists : TolerationOperator.Equal, value, effect, seconds);

    public static PodAffinityTerm AntiAffinity(string key, string value, string topology = PodAffinityTerm.HostnameTopology) =>
        new(new PodSelector(Map((key, value)), default), topology);

    public static string Canonical(string constraint)
    {
        Assert.True(PlacementConstraint.TryParse(constraint, out var c, out var error), error);
        return c.ToString();
    }

    public static PlacementRequest Slots(ServiceRequirements service, int count, int first = 1) =>
        PlacementRequest.Replicated(service, Enumerable.Range(first, count).Select(i => new SlotRequest($"{service.Name}.{i}", i)));

    public static IEnumerable<PlacedTask> Running(ServiceRequirements service, string nodeName, int count, int firstSlot = 1) =>
        Enumerable.Range(firstSlot, count).Select(i => new PlacedTask($"{service.Name}.{nodeName}.{i}", "id-" + nodeName, service, i));

    /// <summary>Tasks per hostname for one service, all nodes listed (0 where none went).</summary>
    public static Dictionary<string, int> PerNode(ClusterSnapshot cluster, SchedulingResult result, ServiceRequirements service)
    {
        var counts = cluster.Nodes.ToDictionary(n => n.Hostname, _ => 0);
        foreach (var a in result.Assignments.Where(a => a.Service == service)) counts[cluster.Node(a.NodeId)!.Hostname]++;
        return counts;
    }

    public static string NodeOf(ClusterSnapshot cluster, SchedulingResult result, string taskId) =>
        cluster.Node(result.AssignmentOf(taskId)?.NodeId ?? throw new Xunit.Sdk.XunitException($"{taskId} was not assigned: {result.PendingOf(taskId)?.Reason}"))!.Hostname;
}
