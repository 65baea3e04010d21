using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>Why one node cannot take a task: the failed check, and for a taint, which one.</summary>
internal readonly record struct FilterReason(FilterKind Kind, Taint? Taint = null)
{
    /// <summary>The reason over <paramref name="nodes"/> nodes, in Swarm's words where Swarm has them ("1 node not available for new tasks").</summary>
    public string Explain(int nodes) => Kind switch
    {
        FilterKind.NotAvailable => $"{Nodes(nodes)} not available for new tasks",
        FilterKind.InsufficientCpu => $"insufficient cpu on {Nodes(nodes)}",
        FilterKind.InsufficientMemory => $"insufficient memory on {Nodes(nodes)}",
        FilterKind.Constraints => $"scheduling constraints not satisfied on {Nodes(nodes)}",
        FilterKind.Taint => $"untolerated taint {Taint} on {Nodes(nodes)}",
        FilterKind.HostPort => $"host-mode port already in use on {Nodes(nodes)}",
        // Swarm's own text, which gives no count.
        FilterKind.MaxReplicas => "max replicas per node limit exceed",
        _ => $"pod anti-affinity rules not satisfied on {Nodes(nodes)}",
    };

    private static string Nodes(int n) => n == 1 ? "1 node" : $"{n} nodes";
}
