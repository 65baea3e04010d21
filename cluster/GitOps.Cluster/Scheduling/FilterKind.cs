namespace GitOps.Cluster.Scheduling;

/// <summary>
/// The checks a node goes through for a task, in the order they run (Swarm's pipeline: readiness, resources,
/// constraints, host ports, max replicas; then Kubernetes' taints and anti-affinity in their place). A node is
/// counted under the first check it fails.
/// </summary>
internal enum FilterKind
{
    NotAvailable,
    InsufficientCpu,
    InsufficientMemory,
    Constraints,
    Taint,
    HostPort,
    MaxReplicas,
    AntiAffinity,
}
