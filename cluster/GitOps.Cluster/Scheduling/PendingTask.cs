namespace GitOps.Cluster.Scheduling;

/// <summary>
/// A task that fits nowhere and stays pending, with the reason <c>service ps</c> shows, in Swarm's words:
/// "no suitable node (2 nodes not available for new tasks; insufficient memory on 1 node)", or
/// "waiting for node n1 (holds volume data)". <see cref="NodeId"/> is set for a global service's task on that node.
/// </summary>
internal sealed record PendingTask(ServiceRequirements Service, string? TaskId, int? Slot, string? NodeId, string Reason, IReadOnlyList<ReasonCount> Counts);
