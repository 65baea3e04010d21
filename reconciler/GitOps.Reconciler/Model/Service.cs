namespace GitOps.Reconciler.Model;

/// <summary>
/// One service: the template every replica is made from, how many replicas and where, how a changed
/// template is rolled out, published ports, and what must run first. Format defaults are already applied,
/// so two ways of writing the same thing give equal records (and equal <see cref="Hashing.SpecHash"/>es).
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
    /// <summary>A progressive strategy (Argo Rollouts' canary or blue-green), from a Rollout or a Compose service's <c>x-rollout</c>.</summary>
    public Rollouts.Model.RolloutSpec? Rollout { get; init; }
}
