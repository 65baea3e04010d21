using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// The checks of one service's tasks against nodes, set up once per service and pass. <see cref="Check"/>
/// runs them all in <see cref="FilterKind"/> order; <see cref="CheckChanging"/> only those a placement in this
/// pass can change (resources, host ports, max replicas, anti-affinity), for nodes that passed the rest.
/// </summary>
internal sealed class ServiceFilters
{
    private readonly ServiceRequirements _s;
    private readonly bool _toleratesCordon;
    private readonly WorkingCluster _cluster;
    private AntiAffinityGuard? _antiAffinity;
    private bool _antiAffinityBuilt;

    public ServiceFilters(ServiceRequirements service, WorkingCluster cluster)
    {
        _s = service;
        // The cordon is a taint for Kubernetes manifests: DaemonSet pods tolerate it, and so may any pod.
        _toleratesCordon = service.Kubernetes && Tolerates(WellKnownTaints.UnschedulableNoSchedule);
        _cluster = cluster;
    }

    public ServiceRequirements Service => _s;

    /// <summary>
    /// The first check <paramref name="node"/> fails, or null if it can take a task. <paramref name="bound"/> is
    /// for a Kubernetes nodeName: such a pod bypasses the scheduler, so the cordon and NoSchedule taints do not apply.
    /// </summary>
    public FilterReason? Check(NodeState node, bool bound = false)
    {
        var n = node.Node;
        if (!Available(n, bound)) return new(FilterKind.NotAvailable);
        if (Resources(node) is { } resources) return resources;
        if (!MatchesConstraints(node)) return new(FilterKind.Constraints);
        if (UntoleratedTaint(n, bound) is { } taint) return new(FilterKind.Taint, taint);
        return Changing(node);
    }

    /// <summary>Whether the node is one the service may run on at all: available, within the constraints, no untolerated taint.</summary>
    public FilterReason? Eligibility(NodeState node, bool bound = false)
    {
        var n = node.Node;
        if (!Available(n, bound)) return new(FilterKind.NotAvailable);
        if (!MatchesConstraints(node)) return new(FilterKind.Constraints);
        if (UntoleratedTaint(n, bound) is { } taint) return new(FilterKind.Taint, taint);
        return null;
    }

    /// <summary>
    /// Up, and active — or paused with the cordon tolerated. A drained node takes only what drain leaves there
    /// (DaemonSet and nodeName-bound pods): anything else would be moved off again by the review, round and round.
    /// </summary>
    private bool Available(NodeDescription n, bool bound) => n.Up && n.Availability switch
    {
        NodeAvailability.Active => true,
        NodeAvailability.Pause => _toleratesCordon || bound,
        _ => _s.Daemon || bound,
    };

    /// <summary>The checks a placement can change, for a node that passed <see cref="Check"/> earlier in the pass.</summary>
    public FilterReason? CheckChanging(NodeState node) => Resources(node) ?? Changing(node);

    private FilterReason? Changing(NodeState node)
    {
        foreach (var p in _s.HostPortList)
            if (node.PortTaken(p)) return new(FilterKind.HostPort);
        if (_s.MaxPerNode is { } max && node.CountOf(_s) >= max) return new(FilterKind.MaxReplicas);
        if (AntiAffinity() is { } guard && !guard.Allows(node)) return new(FilterKind.AntiAffinity);
        return null;
    }

    private FilterReason? Resources(NodeState node)
    {
        // As Swarm: a task that reserves nothing fits anywhere, even on a node that is overcommitted.
        if (_s.NanoCpus > 0 && _s.NanoCpus > node.FreeCpu) return new(FilterKind.InsufficientCpu);
        if (_s.MemoryBytes > 0 && _s.MemoryBytes > node.FreeMemory) return new(FilterKind.InsufficientMemory);
        return null;
    }

    /// <summary>Records that a task of this service went to <paramref name="node"/> (for the anti-affinity it may have with itself).</summary>
    public void Placed(NodeState node)
    {
        // Not built yet: when it is, it reads the placements from the cluster, this one included.
        if (_antiAffinityBuilt) _antiAffinity?.Placed(node);
    }

    /// <summary>Built on first use from the pass's current state: a review, which never needs it, never pays for it.</summary>
    private AntiAffinityGuard? AntiAffinity()
    {
        if (!_antiAffinityBuilt)
        {
            _antiAffinity = AntiAffinityGuard.For(_s, _cluster);
            _antiAffinityBuilt = true;
        }
        return _antiAffinity;
    }

    /// <summary>Swarm constraints, nodeSelector, required node affinity (terms ORed) and nodeName.</summary>
    public bool MatchesConstraints(NodeState node)
    {
        if (_s.HasInvalidConstraint) return false;
        var n = node.Node;
        foreach (var c in _s.ConstraintList)
        {
            var ok = c.Attribute switch
            {
                ConstraintAttribute.NodeId => c.Matches(n.Id),
                ConstraintAttribute.NodeHostname => c.Matches(n.Hostname),
                ConstraintAttribute.NodeRole => c.Matches(n.Role == NodeRole.Manager ? "manager" : "worker"),
                ConstraintAttribute.NodeIp => c.MatchesAddress(n.Address),
                ConstraintAttribute.NodePlatformOs => c.Matches(n.Os),
                ConstraintAttribute.NodePlatformArch => c.Matches(n.Arch) || (Alias(n.Arch) is { } alias && c.Matches(alias)),
                ConstraintAttribute.NodeLabel => c.Matches(node.Labels.GetValueOrDefault(c.Label!)),
                _ => c.Matches(node.EngineLabels.GetValueOrDefault(c.Label!)),
            };
            if (!ok) return false;
        }
        if (_s.Placement.NodeName is { } name && !string.Equals(name, n.Hostname, StringComparison.Ordinal)) return false;
        if (_s.NodeSelectorList.Length > 0 || _s.NodeAffinityList.Length > 0)
        {
            var labels = node.KubeLabels;
            foreach (var (k, v) in _s.NodeSelectorList)
                if (!labels.TryGetValue(k, out var actual) || !string.Equals(actual, v, StringComparison.Ordinal)) return false;
            if (_s.NodeAffinityList.Length > 0)
            {
                var any = false;
                foreach (var term in _s.NodeAffinityList)
                    if (term.Matches(labels, n.Hostname)) { any = true; break; }
                if (!any) return false;
            }
        }
        return true;
    }

    /// <summary>The first NoSchedule or NoExecute taint of the node the service does not tolerate (PreferNoSchedule only ranks nodes).</summary>
    public Taint? UntoleratedTaint(NodeDescription node, bool bound = false)
    {
        foreach (var taint in node.Taints)
        {
            if (taint.Effect == TaintEffect.PreferNoSchedule || (bound && taint.Effect == TaintEffect.NoSchedule)) continue;
            if (!Tolerates(taint)) return taint;
        }
        return null;
    }

    /// <summary>How many PreferNoSchedule taints of the node the service does not tolerate: nodes with fewer come first.</summary>
    public int AvoidScore(NodeDescription node)
    {
        var score = 0;
        foreach (var taint in node.Taints)
            if (taint.Effect == TaintEffect.PreferNoSchedule && !Tolerates(taint)) score++;
        return score;
    }

    public bool Tolerates(Taint taint)
    {
        foreach (var t in _s.TolerationList)
            if (t.Tolerates(taint)) return true;
        return false;
    }

    /// <summary>Docker reports x86_64 and aarch64 where images say amd64 and arm64; either spelling matches.</summary>
    private static string? Alias(string arch) => arch switch
    {
        "amd64" => "x86_64",
        "x86_64" => "amd64",
        "arm64" => "aarch64",
        "aarch64" => "arm64",
        _ => null,
    };
}
