namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// What runs of one version of the service (Argo's ReplicaSet): <see cref="Replicas"/> is the count the executor has
/// set (spec.replicas), <see cref="Ready"/> and <see cref="Available"/> what its replicas report (available: ready for
/// at least minReadySeconds).
/// </summary>
internal sealed record VersionReplicas(string Version, int Replicas, int Ready, int Available);
