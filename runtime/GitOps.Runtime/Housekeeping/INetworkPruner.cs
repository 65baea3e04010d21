namespace GitOps.Runtime.Housekeeping;

/// <summary>
/// What network prune (and system prune) asks of the network layer: remove the user-defined
/// networks no container is attached to and say which. The network layer registers itself as
/// <see cref="Housekeeper.Networks"/>; without one, the engine has only its built-in modes
/// (bridge, host, none, container:), which are never pruned, so there is nothing to remove.
/// </summary>
public interface INetworkPruner
{
    IReadOnlyList<string> PruneNetworks(PruneFilter filter);
}
