namespace GitOps.Cluster.Etcd;

/// <summary>
/// The command line of a supervised member: mutual TLS on the client and the peer port (the peer port
/// trusts only the peer CA, which only managers hold, so a worker's certificate cannot speak raft), data
/// under ROOT/etcd/data, and the first-start flags (initial cluster, new or existing).
/// </summary>
internal static class EtcdMemberArgs
{
    public static IReadOnlyList<string> Build(ClusterPaths paths, string name, string address, int clientPort, int peerPort,
        string initialCluster, string initialState, string clusterToken)
    {
        var clientUrl = $"https://{address}:{clientPort}";
        var listenClient = address == "127.0.0.1" ? clientUrl : $"{clientUrl},https://127.0.0.1:{clientPort}";
        return
        [
            "--name", name,
            "--data-dir", paths.EtcdData,
            "--listen-client-urls", listenClient,
            "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", $"https://{address}:{peerPort}",
            "--initial-advertise-peer-urls", $"https://{address}:{peerPort}",
            "--initial-cluster", initialCluster,
            "--initial-cluster-state", initialState,
            "--initial-cluster-token", clusterToken,
            "--cert-file", paths.NodeCertificate, "--key-file", paths.NodeKey,
            "--trusted-ca-file", paths.CaCertificate, "--client-cert-auth",
            "--peer-cert-file", paths.PeerCertificate, "--peer-key-file", paths.PeerKey,
            "--peer-trusted-ca-file", paths.PeerCaCertificate, "--peer-client-cert-auth",
            // Keep one hour of history; the store holds current state, not an audit log.
            "--auto-compaction-mode", "periodic", "--auto-compaction-retention", "1h",
            "--logger", "zap", "--log-outputs", "stderr",
        ];
    }

    public static string PeerUrl(string address, int peerPort) => $"https://{address}:{peerPort}";
}
