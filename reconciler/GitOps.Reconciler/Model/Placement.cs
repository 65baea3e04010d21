namespace GitOps.Reconciler.Model;

/// <summary>
/// Where replicas may run, in both vocabularies the manifests use. Swarm: <see cref="Constraints"/>
/// (<c>node.labels.zone==a</c>, canonical and validated at load), spread <see cref="Preferences"/>
/// (<c>spread=node.labels.zone</c>). Kubernetes: <see cref="NodeSelector"/>, <see cref="NodeName"/>, required
/// node affinity (terms ORed), required pod anti-affinity, tolerations. <see cref="RescheduleWithDataLoss"/> lets
/// the scheduler move a replica whose data lives on a node that is gone (off by default: it waits for the node).
/// Max replicas per node lives in <see cref="Replication"/>; reservations in each container's resources.
/// </summary>
internal sealed record Placement(
    ValueList<string> Constraints,
    ValueList<string> Preferences,
    ValueMap<string> NodeSelector,
    string? NodeName,
    ValueList<NodeSelectorTerm> NodeAffinity,
    ValueList<PodAffinityTerm> PodAntiAffinity,
    ValueList<Toleration> Tolerations,
    bool RescheduleWithDataLoss)
{
    /// <summary>The label (Compose <c>deploy.labels</c>) or annotation (Kubernetes <c>metadata.annotations</c>) that opts a service in to being moved away from its data.</summary>
    public const string RescheduleWithDataLossKey = "gitops.io/reschedule-with-data-loss";

    public static readonly Placement Anywhere = new(default, default);

    public Placement(ValueList<string> constraints, ValueList<string> preferences)
        : this(constraints, preferences, default, null, default, default, default, false)
    {
    }
}
