namespace GitOps.Cluster.Membership;

/// <summary>
/// What this node knows about its membership, in ROOT/cluster/state.json (beside ca.crt, node.crt,
/// node.key, cluster.key and, on managers, ca.key). Its presence is what makes a daemon a cluster node.
/// </summary>
internal sealed record LocalState
{
    public required string ClusterId { get; init; }
    public required string NodeId { get; init; }
    public required string NodeName { get; init; }
    public required NodeRole Role { get; init; }
    public required string Address { get; init; }
    public int JoinPort { get; init; } = ClusterInfo.DefaultJoinPort;
    public int ClientPort { get; init; } = ClusterInfo.DefaultClientPort;
    public int PeerPort { get; init; } = ClusterInfo.DefaultPeerPort;
    /// <summary>Client URLs of the etcd members, refreshed from the member list while connected.</summary>
    public required IReadOnlyList<string> EtcdEndpoints { get; init; }
    public bool ExternalEtcd { get; init; }
    /// <summary>Set while this manager runs a supervised etcd member: the flags it (re)starts with.</summary>
    public EtcdMemberSettings? Member { get; init; }
}

/// <summary>
/// The flags of this node's etcd member. InitialCluster and InitialState only matter on the member's
/// first start (etcd ignores them once its data directory exists), so they are kept as first given.
/// </summary>
internal sealed record EtcdMemberSettings(string Name, string InitialCluster, string InitialState, bool Learner);
