using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Swarm;

/// <summary>What a Compose/stack <c>deploy:</c> section decides, with the format's defaults filled in.</summary>
internal sealed record DeploySettings(
    Replication Replication,
    UpdateStrategy Update,
    UpdateStrategy? Rollback,
    RestartPolicy? Restart,
    Placement Placement,
    Resources? Resources,
    ValueMap<string> Labels,
    EndpointMode EndpointMode);
