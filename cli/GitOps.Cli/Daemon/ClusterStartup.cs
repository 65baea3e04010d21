using GitOps.Cluster;
using GitOps.Cluster.Membership;

namespace GitOps.Cli.Daemon;

/// <summary>Resumes the node's membership at daemon start; a broken membership is reported, never fatal to the engine.</summary>
internal static class ClusterStartup
{
    public static async Task StartAsync(ClusterNode node, Action<string> log)
    {
        try { await node.StartAsync(CancellationToken.None); }
        catch (Exception e) when (e is ClusterException or IOException or InvalidDataException or System.Security.Cryptography.CryptographicException or Grpc.Core.RpcException)
        {
            log($"cluster: cannot resume this node's membership: {e.Message} (containers keep running; gitops cluster status tells more)");
        }
    }
}

/// <summary>The daemon's --etcd-* flags, checked together.</summary>
internal static class ClusterOptions
{
    public static string? External(string? endpoints, string? ca, string? cert, string? key, out ExternalEtcd? external)
    {
        external = null;
        if (endpoints is null)
            return (ca ?? cert ?? key) is not null ? "--etcd-cacert, --etcd-cert and --etcd-key need --etcd-endpoints" : null;
        if (ca is null || cert is null || key is null)
            return "--etcd-endpoints needs --etcd-cacert, --etcd-cert and --etcd-key (every connection to etcd is mutual TLS)";
        var urls = endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var u in urls)
            if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme != "https")
                return $"invalid --etcd-endpoints entry \"{u}\": expected https://HOST:PORT";
        foreach (var f in new[] { ca, cert, key })
            if (!File.Exists(f)) return $"{f}: no such file";
        external = new ExternalEtcd(urls, ca, cert, key);
        return null;
    }
}
