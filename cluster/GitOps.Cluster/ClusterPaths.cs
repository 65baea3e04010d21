namespace GitOps.Cluster;

/// <summary>Where a node keeps its membership under the daemon's root (directory 0700, keys 0600).</summary>
internal sealed class ClusterPaths(string root)
{
    public string Root { get; } = root;
    public string Dir => Path.Combine(Root, "cluster");
    public string State => Path.Combine(Dir, "state.json");
    public string CaCertificate => Path.Combine(Dir, "ca.crt");
    public string CaKey => Path.Combine(Dir, "ca.key");
    public string PeerCaCertificate => Path.Combine(Dir, "peer-ca.crt");
    public string PeerCaKey => Path.Combine(Dir, "peer-ca.key");
    public string NodeCertificate => Path.Combine(Dir, "node.crt");
    public string NodeKey => Path.Combine(Dir, "node.key");
    public string PeerCertificate => Path.Combine(Dir, "peer.crt");
    public string PeerKey => Path.Combine(Dir, "peer.key");
    public string ClusterKey => Path.Combine(Dir, "cluster.key");
    public string EtcdDir => Path.Combine(Root, "etcd");
    public string EtcdData => Path.Combine(EtcdDir, "data");

    public bool IsMember => File.Exists(State);
}
