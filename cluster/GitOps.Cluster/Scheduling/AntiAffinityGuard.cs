using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// Required pod anti-affinity for one service during a pass, both ways as Kubernetes checks it: the service's own
/// terms against the application's pods, and other pods' terms against the service's labels. Each becomes a
/// set of forbidden topology domains (values of the term's topology key; a node is its own domain under
/// kubernetes.io/hostname). A node without the topology label is in no domain and never forbidden.
/// </summary>
internal sealed class AntiAffinityGuard
{
    private readonly Dictionary<string, HashSet<string>> _forbidden = new(StringComparer.Ordinal);
    private readonly List<string> _selfKeys = [];

    private AntiAffinityGuard()
    {
    }

    /// <summary>Null when nothing in the application has anti-affinity with this service: the common case costs nothing.</summary>
    public static AntiAffinityGuard? For(ServiceRequirements service, WorkingCluster cluster)
    {
        AntiAffinityGuard? guard = null;
        var tasks = cluster.ServicesOf(service.App);
        foreach (var term in service.Placement.PodAntiAffinity)
        {
            guard ??= new AntiAffinityGuard();
            var set = guard.Set(term.TopologyKey);
            foreach (var (other, nodes) in tasks)
            {
                if (!term.Selector.Matches(other.PodLabels)) continue;
                foreach (var node in nodes)
                    if (Domain(node, term.TopologyKey) is { } d) set.Add(d);
            }
            // A term that selects the service's own pods keeps them apart: each placement forbids its domain.
            if (term.Selector.Matches(service.PodLabels)) guard._selfKeys.Add(term.TopologyKey);
        }
        foreach (var (other, nodes) in cluster.AntiAffinityHoldersOf(service.App))
        {
            if (ReferenceEquals(other, service)) continue;
            foreach (var term in other.Placement.PodAntiAffinity)
            {
                if (!term.Selector.Matches(service.PodLabels)) continue;
                guard ??= new AntiAffinityGuard();
                var set = guard.Set(term.TopologyKey);
                foreach (var node in nodes)
                    if (Domain(node, term.TopologyKey) is { } d) set.Add(d);
            }
        }
        return guard;
    }

    public bool Allows(NodeState node)
    {
        foreach (var (key, domains) in _forbidden)
            if (Domain(node, key) is { } d && domains.Contains(d)) return false;
        return true;
    }

    public void Placed(NodeState node)
    {
        foreach (var key in _selfKeys)
            if (Domain(node, key) is { } d) _forbidden[key].Add(d);
    }

    private HashSet<string> Set(string key)
    {
        if (!_forbidden.TryGetValue(key, out var set)) _forbidden[key] = set = new HashSet<string>(StringComparer.Ordinal);
        return set;
    }

    private static string? Domain(NodeState node, string topologyKey) =>
        topologyKey == PodAffinityTerm.HostnameTopology ? node.Node.Hostname : node.KubeLabels.GetValueOrDefault(topologyKey);
}
