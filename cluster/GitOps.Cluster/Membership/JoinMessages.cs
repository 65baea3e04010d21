namespace GitOps.Cluster.Membership;

/// <summary>What a joining node sends to a manager's join endpoint (TLS, server verified against the token's CA digest).</summary>
internal sealed record JoinRequest
{
    public required string Secret { get; init; }
    public required string NodeName { get; init; }
    public required string Address { get; init; }
    /// <summary>PEM CSR of the key the node made for itself; the key never leaves the node.</summary>
    public required string CertificateRequest { get; init; }
    public required NodeResources Resources { get; init; }
    public IReadOnlyDictionary<string, string> EngineLabels { get; init; } = new Dictionary<string, string>();
    public required string Version { get; init; }
}

/// <summary>The manager's answer: identity, trust and where the store is (managers also get the CA keys and their etcd member).</summary>
internal sealed record JoinResponse
{
    public required string ClusterId { get; init; }
    public required string NodeId { get; init; }
    public required NodeRole Role { get; init; }
    public required string CaCertificate { get; init; }
    public required string NodeCertificate { get; init; }
    /// <summary>The cluster data key (base64): secrets in the store are encrypted with it.</summary>
    public required string ClusterKey { get; init; }
    public required IReadOnlyList<string> EtcdEndpoints { get; init; }
    public required ClusterInfo Info { get; init; }
    public string? CaKey { get; init; }
    public string? PeerCaCertificate { get; init; }
    public string? PeerCaKey { get; init; }
    /// <summary>For a new member: etcd's --initial-cluster (every member, this one included) and its member id (hex).</summary>
    public string? InitialCluster { get; init; }
    public string? MemberId { get; init; }
}

internal sealed record JoinError(string Message);

/// <summary>alive/{id}: present while the node's lease lives.</summary>
internal sealed record AliveRecord(string NodeId, DateTimeOffset Since, string Address);
