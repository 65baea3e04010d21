namespace GitOps.Cluster.Scheduling;

/// <summary>
/// The fleet at one moment, as the scheduler takes it: the nodes and the tasks that hold them. Immutable: a
/// pass works on its own copy of the counts, so one snapshot can be reviewed and scheduled against repeatedly.
/// </summary>
internal sealed class ClusterSnapshot
{
    private readonly Dictionary<string, NodeDescription> _byId;
    private readonly Dictionary<string, NodeDescription> _byName;

    public ClusterSnapshot(IEnumerable<NodeDescription> nodes, IEnumerable<PlacedTask> tasks)
    {
        // Hostname then id: the order ties are broken in, so a pass is deterministic whatever order the store lists nodes in.
        Nodes = [.. nodes.OrderBy(n => n.Hostname, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal)];
        Tasks = [.. tasks];
        _byId = new Dictionary<string, NodeDescription>(Nodes.Count, StringComparer.Ordinal);
        _byName = new Dictionary<string, NodeDescription>(Nodes.Count, StringComparer.Ordinal);
        foreach (var n in Nodes)
        {
            if (!_byId.TryAdd(n.Id, n)) throw new ArgumentException($"node id {n.Id} appears twice", nameof(nodes));
            _byName.TryAdd(n.Hostname, n);
        }
    }

    public IReadOnlyList<NodeDescription> Nodes { get; }

    public IReadOnlyList<PlacedTask> Tasks { get; }

    public NodeDescription? Node(string id) => _byId.GetValueOrDefault(id);

    public NodeDescription? NodeNamed(string hostname) => _byName.GetValueOrDefault(hostname);

    /// <summary>The same fleet without some tasks (those being moved or stopped: what they held is free again).</summary>
    public ClusterSnapshot Without(IEnumerable<string> taskIds)
    {
        var gone = new HashSet<string>(taskIds, StringComparer.Ordinal);
        return new ClusterSnapshot(Nodes, Tasks.Where(t => !gone.Contains(t.Id)));
    }

    /// <summary>The same fleet with more tasks (what a pass assigned, to schedule the next pass against).</summary>
    public ClusterSnapshot With(IEnumerable<PlacedTask> tasks) => new(Nodes, Tasks.Concat(tasks));

    /// <summary>The same tasks on changed nodes (a node went down, was drained, relabelled).</summary>
    public ClusterSnapshot WithNodes(IEnumerable<NodeDescription> nodes) => new(nodes, Tasks);
}
