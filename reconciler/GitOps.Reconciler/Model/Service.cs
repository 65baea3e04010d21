namespace GitOps.Reconciler.Model;

/// <summary>
/// One service: the template every replica is made from, how many replicas and where, how a changed
/// template is rolled out, published ports, and what must run first. Format defaults are already applied,
/// so two ways of writing the same thing give equal records (and equal <see cref="Hashing.SpecHash"/>es).
/// A DaemonSet is a global service (one replica per eligible node).
/// </summary>
internal sealed record Service(
    string Name,
    SourceFormat Format,
    WorkloadKind Kind,
    ValueMap<string> Labels,
    PodTemplate Template,
    Replication Replication,
    UpdateStrategy Update,
    UpdateStrategy? Rollback,
    Placement Placement,
    ValueList<PortBinding> Ports,
    EndpointMode EndpointMode,
    ValueList<Dependency> DependsOn,
    StatefulOptions? Stateful)
{
    /// <summary>Set for run-to-completion workloads (Kubernetes Job and CronJob): how their pods run to completion.</summary>
    public JobSpec? Job { get; init; }

    /// <summary>Set for a CronJob: when it creates Jobs (each made of <see cref="Job"/> and the template).</summary>
    public CronJobSpec? Cron { get; init; }

    /// <summary>Jobs and CronJobs run pods to completion under the job controller, never as standing replicas.</summary>
    public bool RunsToCompletion => Job is not null;
    /// <summary>A progressive strategy (Argo Rollouts' canary or blue-green), from a Rollout or a Compose service's <c>x-rollout</c>.</summary>
    public Rollouts.Model.RolloutSpec? Rollout { get; init; }
}
