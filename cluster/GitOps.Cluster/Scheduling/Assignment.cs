namespace GitOps.Cluster.Scheduling;

/// <summary>A placement decision: the task (null for a new task of a global service) goes to <see cref="NodeId"/>.</summary>
internal sealed record Assignment(ServiceRequirements Service, string? TaskId, int? Slot, string NodeId);
