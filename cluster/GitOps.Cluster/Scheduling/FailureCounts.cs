namespace GitOps.Cluster.Scheduling;

/// <summary>
/// Counts, per reason, the nodes a task could not go to, and words the pending reason as Swarm does: the reasons
/// with the most nodes first, joined with "; " inside "no suitable node (...)".
/// </summary>
internal sealed class FailureCounts
{
    private readonly Dictionary<FilterReason, int> _counts = [];

    public void Add(FilterReason reason) => _counts[reason] = _counts.GetValueOrDefault(reason) + 1;

    public bool IsEmpty => _counts.Count == 0;

    public IReadOnlyList<ReasonCount> ToList() =>
    [
        .. _counts
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key.Kind)
            .ThenBy(kv => kv.Key.Taint?.ToString(), StringComparer.Ordinal)
            .Select(kv => new ReasonCount(kv.Key.Explain(kv.Value), kv.Value)),
    ];

    public string Details() => string.Join("; ", ToList().Select(r => r.Text));

    public string Explain() => IsEmpty ? "no suitable node" : $"no suitable node ({Details()})";
}
