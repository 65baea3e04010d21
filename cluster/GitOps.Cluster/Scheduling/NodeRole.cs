namespace GitOps.Cluster.Scheduling;

/// <summary>A node's role, as <c>node.role</c> constraints name it.</summary>
internal enum NodeRole
{
    Worker,
    Manager,
}
