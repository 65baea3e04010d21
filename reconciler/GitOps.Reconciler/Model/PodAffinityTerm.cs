namespace GitOps.Reconciler.Model;

/// <summary>
/// A required pod anti-affinity term: no two pods of the application where one's term selects the other may share
/// a topology domain, the set of nodes with the same value of the node label <see cref="TopologyKey"/>
/// (<c>kubernetes.io/hostname</c>: one node). The term applies to the application's pods.
/// </summary>
internal sealed record PodAffinityTerm(PodSelector Selector, string TopologyKey)
{
    public const string HostnameTopology = "kubernetes.io/hostname";
}
