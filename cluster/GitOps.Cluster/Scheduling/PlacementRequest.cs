namespace GitOps.Cluster.Scheduling;

/// <summary>
/// What to place for one service: the given slots of a replicated service, or, for a global service (Swarm
/// <c>mode: global</c>, a DaemonSet), one task on every eligible node that has none yet.
/// </summary>
internal sealed record PlacementRequest(ServiceRequirements Service, IReadOnlyList<SlotRequest> Slots)
{
    public static PlacementRequest Global(ServiceRequirements service) => new(service, []);

    public static PlacementRequest Replicated(ServiceRequirements service, IEnumerable<SlotRequest> slots) => new(service, [.. slots]);
}
