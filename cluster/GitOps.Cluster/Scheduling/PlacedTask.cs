namespace GitOps.Cluster.Scheduling;

/// <summary>
/// A task that holds a node: desired running there (tasks the controller is stopping are left out, so what
/// they held is free). <see cref="DataVolume"/> names the node-local volume it keeps data in, if any: a
/// replacement of its slot must then come back to this node (see <see cref="SlotRequest.Replacing"/>).
/// </summary>
internal sealed record PlacedTask(string Id, string NodeId, ServiceRequirements Service, int? Slot = null)
{
    public string? DataVolume { get; init; }
}
