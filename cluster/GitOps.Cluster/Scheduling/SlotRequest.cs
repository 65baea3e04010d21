namespace GitOps.Cluster.Scheduling;

/// <summary>
/// One task of a replicated service to place. <see cref="PreviousNodeId"/> is where the task it replaces ran
/// (a rolling update, a restart): the new task goes back there while that node still fits the service, so
/// replicas stay put across updates. <see cref="Data"/> binds the slot to the node that holds its data.
/// </summary>
internal sealed record SlotRequest(string TaskId, int? Slot = null)
{
    public string? PreviousNodeId { get; init; }

    public DataBinding? Data { get; init; }

    /// <summary>The request for the successor of <paramref name="old"/>: same slot, preferably same node, and bound to it if it holds data (unless the service opted in to losing it).</summary>
    public static SlotRequest Replacing(PlacedTask old, string newTaskId) => new(newTaskId, old.Slot)
    {
        PreviousNodeId = old.NodeId,
        Data = old.DataVolume is { } volume && !old.Service.RescheduleWithDataLoss ? new DataBinding(old.NodeId, volume) : null,
    };
}
