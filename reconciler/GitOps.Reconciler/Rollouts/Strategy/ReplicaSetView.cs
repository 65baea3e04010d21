namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>A version as the replica arithmetic sees it: its replica count (spec) and available replicas.</summary>
internal sealed record ReplicaSetView(string Version, int Spec, int Available)
{
    public static ReplicaSetView Of(VersionReplicas v) => new(v.Version, v.Replicas, v.Available);
}
