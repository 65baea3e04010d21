namespace GitOps.Cluster.Scheduling;

/// <summary>
/// The candidate nodes of one service, arranged as Swarm's placement preferences arrange them: one level per
/// <c>spread=</c> preference, one branch per label value (nodes without the label form the "" branch), each
/// branch counting the service's tasks on all its nodes. A task goes down to the branch with the fewest tasks of
/// the service (branches even out first, whatever their node counts), then to the best node of that leaf by
/// <see cref="NodeRank"/>, kept in a heap: a pass costs O((tasks + nodes) log nodes), not a sort per task.
/// </summary>
internal sealed class SpreadTree
{
    private readonly Branch _root = new(null, "");
    private readonly Branch[] _leafOf;
    private readonly ServiceFilters _filters;

    public SpreadTree(ServiceFilters filters, IReadOnlyList<NodeState> nodes, Func<NodeState, bool> candidate)
    {
        _filters = filters;
        var levels = filters.Service.Spread;
        _leafOf = new Branch[nodes.Count];
        foreach (var node in nodes)
        {
            var branch = _root;
            var count = node.CountOf(filters.Service);
            foreach (var (engine, label) in levels)
            {
                branch.Tasks += count;
                var labels = engine ? node.EngineLabels : node.Labels;
                branch = branch.Child(labels.GetValueOrDefault(label) ?? "");
            }
            branch.Tasks += count;
            _leafOf[node.Ordinal] = branch;
            if (candidate(node)) branch.Pending.Add((node, Rank(node)));
        }
        _root.Build();
    }

    /// <summary>
    /// The node the next task should go to, or null if no node can take one. Nodes that fail the checks a
    /// placement can change are dropped for the rest of the pass, their reason added to <paramref name="failures"/>.
    /// </summary>
    public NodeState? Take(FailureCounts failures) => Take(_root, failures);

    /// <summary>Counts a task placed on <paramref name="node"/> and puts the node back with its new rank.</summary>
    public void Placed(NodeState node)
    {
        var leaf = _leafOf[node.Ordinal];
        for (var b = leaf; b is not null; b = b.Parent) b.Tasks++;
        leaf.Heap!.Enqueue(node, Rank(node));
    }

    private NodeState? Take(Branch branch, FailureCounts failures)
    {
        if (branch.Exhausted) return null;
        if (branch.Children is null)
        {
            while (branch.Heap!.TryDequeue(out var node, out _))
            {
                if (_filters.CheckChanging(node) is { } reason) failures.Add(reason);
                else return node;
            }
            branch.Exhausted = true;
            return null;
        }
        while (true)
        {
            Branch? best = null;
            foreach (var child in branch.Ordered!)
                if (!child.Exhausted && (best is null || child.Tasks < best.Tasks)) best = child;
            if (best is null)
            {
                branch.Exhausted = true;
                return null;
            }
            if (Take(best, failures) is { } node) return node;
        }
    }

    private NodeRank Rank(NodeState node) => new(_filters.AvoidScore(node.Node), node.CountOf(_filters.Service), node.Total, node.Ordinal);

    private sealed class Branch(Branch? parent, string value)
    {
        public Branch? Parent { get; } = parent;

        public string Value { get; } = value;

        public int Tasks { get; set; }

        public bool Exhausted { get; set; }

        public Dictionary<string, Branch>? Children { get; private set; }

        /// <summary>Children in value order: the tie-breaker between branches with as many tasks.</summary>
        public Branch[]? Ordered { get; private set; }

        /// <summary>A leaf's candidates, collected while the tree is built, then heapified at once (O(n), not n pushes).</summary>
        public List<(NodeState, NodeRank)> Pending { get; } = [];

        public PriorityQueue<NodeState, NodeRank>? Heap { get; private set; }

        public Branch Child(string value)
        {
            Children ??= new Dictionary<string, Branch>(StringComparer.Ordinal);
            if (!Children.TryGetValue(value, out var child)) Children[value] = child = new Branch(this, value);
            return child;
        }

        public void Build()
        {
            if (Children is null)
            {
                Heap = new PriorityQueue<NodeState, NodeRank>(Pending);
                Pending.Clear();
                return;
            }
            Ordered = [.. Children.Values.OrderBy(c => c.Value, StringComparer.Ordinal)];
            foreach (var c in Ordered) c.Build();
        }
    }
}
