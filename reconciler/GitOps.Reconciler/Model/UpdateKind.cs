namespace GitOps.Reconciler.Model;

/// <summary>How a changed template reaches running replicas: rolling batches, stop-all-then-start, or only when a replica is deleted (Kubernetes ReplicaSet/OnDelete).</summary>
internal enum UpdateKind
{
    Rolling,
    Recreate,
    OnDelete,
}
