namespace GitOps.Cluster.Scheduling;

/// <summary>
/// A pass's working copy of the fleet: one <see cref="NodeState"/> per node, filled with the snapshot's tasks
/// and updated with every decision, so later services see earlier placements. Also indexes each
/// application's tasks, which pod anti-affinity looks at.
/// </summary>
internal sealed class WorkingCluster
{
    private readonly Dictionary<string, NodeState> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeState> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AppTasks> _byApp = new(StringComparer.Ordinal);

    public WorkingCluster(ClusterSnapshot snapshot)
    {
        var nodes = new NodeState[snapshot.Nodes.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new NodeState(snapshot.Nodes[i], i);
            _byId[nodes[i].Node.Id] = nodes[i];
            _byName.TryAdd(nodes[i].Node.Hostname, nodes[i]);
        }
        Nodes = nodes;
        // A task on a node that has left the fleet holds nothing.
        foreach (var t in snapshot.Tasks)
            if (_byId.TryGetValue(t.NodeId, out var node)) Place(node, t.Service);
    }

    public IReadOnlyList<NodeState> Nodes { get; }

    public NodeState? ById(string id) => _byId.GetValueOrDefault(id);

    public NodeState? ByName(string hostname) => _byName.GetValueOrDefault(hostname);

    public void Place(NodeState node, ServiceRequirements service)
    {
        node.Add(service);
        if (!_byApp.TryGetValue(service.App, out var app)) _byApp[service.App] = app = new AppTasks();
        app.Add(node, service);
    }

    /// <summary>The nodes of each service of an application (a node once per task), what pod anti-affinity looks at.</summary>
    public IReadOnlyDictionary<ServiceRequirements, List<NodeState>> ServicesOf(string app) =>
        _byApp.TryGetValue(app, out var tasks) ? tasks.All : Empty;

    /// <summary>The same, only for services with anti-affinity terms (usually none: then anti-affinity costs nothing).</summary>
    public IReadOnlyDictionary<ServiceRequirements, List<NodeState>> AntiAffinityHoldersOf(string app) =>
        _byApp.TryGetValue(app, out var tasks) ? tasks.Holders : Empty;

    private static readonly Dictionary<ServiceRequirements, List<NodeState>> Empty = [];

    /// <summary>One application's tasks grouped by service, so a selector is matched once per service, not once per task.</summary>
    private sealed class AppTasks
    {
        public Dictionary<ServiceRequirements, List<NodeState>> All { get; } = new(ReferenceEqualityComparer.Instance);

        public Dictionary<ServiceRequirements, List<NodeState>> Holders { get; } = new(ReferenceEqualityComparer.Instance);

        public void Add(NodeState node, ServiceRequirements service)
        {
            if (!All.TryGetValue(service, out var nodes)) All[service] = nodes = [];
            nodes.Add(node);
            if (service.HasAntiAffinity) Holders[service] = nodes;
        }
    }
}
