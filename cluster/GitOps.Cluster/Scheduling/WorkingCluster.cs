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
    private readonly Dictionary<string, List<(NodeState Node, ServiceRequirements Service)>> _byApp = new(StringComparer.Ordinal);

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
        if (!_byApp.TryGetValue(service.App, out var list)) _byApp[service.App] = list = [];
        list.Add((node, service));
    }

    public IReadOnlyList<(NodeState Node, ServiceRequirements Service)> TasksOf(string app) =>
        _byApp.TryGetValue(app, out var list) ? list : [];
}
