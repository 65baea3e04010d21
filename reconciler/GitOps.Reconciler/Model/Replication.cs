namespace GitOps.Reconciler.Model;

/// <summary>How many replicas run: a fixed count, or one per eligible node (global; <see cref="Replicas"/> is 0).</summary>
internal sealed record Replication(ReplicationMode Mode, int Replicas, int? MaxPerNode)
{
    public static Replication Replicated(int replicas) => new(ReplicationMode.Replicated, replicas, null);
}
