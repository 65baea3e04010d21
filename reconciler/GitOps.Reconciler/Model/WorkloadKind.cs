namespace GitOps.Reconciler.Model;

/// <summary>What kind of object declared the service: a Compose/stack service or a Kubernetes workload kind.</summary>
internal enum WorkloadKind
{
    Service,
    Pod,
    ReplicaSet,
    ReplicationController,
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    /// <summary>Argo Rollouts' Rollout: a Deployment-like workload rolled out by a canary or blue-green strategy.</summary>
    Rollout,
}
