using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// The taints Kubernetes derives from a node's state, and the tolerations it adds to pods by itself. gitops
/// derives the same taints from the fleet's state for Kubernetes manifests: a node that is down is
/// "unreachable" (NoExecute), a paused or drained node is "unschedulable" (NoSchedule, the cordon).
/// </summary>
internal static class WellKnownTaints
{
    public const string Unreachable = "node.kubernetes.io/unreachable";
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unschedulable = "node.kubernetes.io/unschedulable";

    public static readonly Taint UnreachableNoExecute = new(Unreachable, null, TaintEffect.NoExecute);
    public static readonly Taint UnschedulableNoSchedule = new(Unschedulable, null, TaintEffect.NoSchedule);

    /// <summary>The API server's DefaultTolerationSeconds: every pod tolerates not-ready and unreachable nodes for 300 s, then is evicted.</summary>
    public const long DefaultTolerationSeconds = 300;

    /// <summary>What the DaemonSet controller adds to its pods: they survive node trouble, cordons and drains.</summary>
    private static readonly Toleration[] DaemonTolerations =
    [
        new(NotReady, TolerationOperator.Exists, null, TaintEffect.NoExecute, null),
        new(Unreachable, TolerationOperator.Exists, null, TaintEffect.NoExecute, null),
        new("node.kubernetes.io/disk-pressure", TolerationOperator.Exists, null, TaintEffect.NoSchedule, null),
        new("node.kubernetes.io/memory-pressure", TolerationOperator.Exists, null, TaintEffect.NoSchedule, null),
        new("node.kubernetes.io/pid-pressure", TolerationOperator.Exists, null, TaintEffect.NoSchedule, null),
        new(Unschedulable, TolerationOperator.Exists, null, TaintEffect.NoSchedule, null),
    ];

    private static readonly Toleration NetworkUnavailable = new("node.kubernetes.io/network-unavailable", TolerationOperator.Exists, null, TaintEffect.NoSchedule, null);

    /// <summary>
    /// A Kubernetes pod's tolerations as the cluster applies them: a DaemonSet pod's get the DaemonSet
    /// controller's set (replacing its own with the same key, operator and effect; network-unavailable only
    /// with host networking); any other pod gets the 300 s not-ready/unreachable tolerations unless it
    /// tolerates those taints already.
    /// </summary>
    public static IReadOnlyList<Toleration> Effective(IReadOnlyList<Toleration> declared, bool daemon, bool hostNetwork)
    {
        var result = new List<Toleration>(declared);
        if (daemon)
        {
            var added = hostNetwork ? [.. DaemonTolerations, NetworkUnavailable] : DaemonTolerations;
            result.RemoveAll(t => added.Any(a => a.Key == t.Key && a.Operator == t.Operator && a.Effect == t.Effect));
            result.AddRange(added);
            return result;
        }
        foreach (var key in new[] { NotReady, Unreachable })
        {
            var taint = new Taint(key, null, TaintEffect.NoExecute);
            if (!declared.Any(t => t.Tolerates(taint))) result.Add(new Toleration(key, TolerationOperator.Exists, null, TaintEffect.NoExecute, DefaultTolerationSeconds));
        }
        return result;
    }
}
