namespace GitOps.Cluster.Membership;

/// <summary>The daemon's cluster flags: its node name, its version, and an external etcd (with its own certificates) if any.</summary>
internal sealed record NodeOptions(string NodeName, string Version, ExternalEtcd? External = null);

/// <summary>`--etcd-endpoints URLS --etcd-cacert --etcd-cert --etcd-key`: an etcd cluster the operator runs.</summary>
internal sealed record ExternalEtcd(IReadOnlyList<string> Endpoints, string CaFile, string CertFile, string KeyFile);
