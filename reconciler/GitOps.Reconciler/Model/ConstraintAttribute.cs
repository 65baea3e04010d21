namespace GitOps.Reconciler.Model;

/// <summary>The node attributes a Swarm placement constraint may name.</summary>
internal enum ConstraintAttribute
{
    NodeId,
    NodeHostname,
    NodeRole,
    NodeIp,
    NodePlatformOs,
    NodePlatformArch,
    NodeLabel,
    EngineLabel,
}
