namespace GitOps.Cluster.Scheduling;

/// <summary>A port a task publishes on its node's own addresses (Swarm <c>mode: host</c>, Kubernetes hostPort): one task per node may hold it.</summary>
internal readonly record struct HostPort(string Protocol, int Port)
{
    public override string ToString() => $"{Port}/{Protocol}";
}
