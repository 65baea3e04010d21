namespace GitOps.Reconciler.Model;

/// <summary>Replicated runs a fixed number of replicas; global runs one on every eligible node.</summary>
internal enum ReplicationMode
{
    Replicated,
    Global,
}
