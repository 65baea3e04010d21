namespace GitOps.Cluster.Scheduling;

/// <summary>
/// What the operator allows on a node (<c>gitops node update --availability</c>, as Swarm): Active takes new
/// tasks; Pause keeps what runs but takes nothing new; Drain also moves what runs elsewhere. For Kubernetes
/// manifests Pause and Drain are the cordon taint <c>node.kubernetes.io/unschedulable:NoSchedule</c>.
/// </summary>
internal enum NodeAvailability
{
    Active,
    Pause,
    Drain,
}
