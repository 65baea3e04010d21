namespace GitOps.Cluster.Membership;

/// <summary>cluster/info: the cluster's identity and its ports (one default each, documented in the README).</summary>
internal sealed record ClusterInfo
{
    public const int DefaultJoinPort = 2377, DefaultClientPort = 2379, DefaultPeerPort = 2380;

    public required string ClusterId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public int JoinPort { get; init; } = DefaultJoinPort;
    public int ClientPort { get; init; } = DefaultClientPort;
    public int PeerPort { get; init; } = DefaultPeerPort;
    /// <summary>The store is an etcd cluster the operator runs (--etcd-endpoints): managers add no members.</summary>
    public bool ExternalEtcd { get; init; }
}
