using System.Text.Json;
using Etcdserverpb;
using GitOps.Cluster.Etcd;
using Google.Protobuf;

namespace GitOps.Cluster.Membership;

/// <summary>Typed reads and writes of node records, heartbeats and the cluster's info.</summary>
internal static class NodeStore
{
    public static async Task<NodeRecord?> GetAsync(EtcdConnection etcd, string id, CancellationToken ct, bool serializable = false) =>
        await etcd.GetAsync(Keys.Node(id), serializable, ct) is { } kv ? JsonSerializer.Deserialize(kv.Value.Span, StoreJson.Default.NodeRecord) : null;

    public static async Task<IReadOnlyList<NodeRecord>> ListAsync(EtcdConnection etcd, CancellationToken ct, bool serializable = false)
    {
        var r = await etcd.GetPrefixAsync(Keys.Nodes, serializable, ct: ct);
        return [.. r.Kvs.Select(kv => JsonSerializer.Deserialize(kv.Value.Span, StoreJson.Default.NodeRecord)!)];
    }

    /// <summary>Ids of the nodes whose heartbeat key exists (their lease is alive).</summary>
    public static async Task<IReadOnlySet<string>> AliveAsync(EtcdConnection etcd, CancellationToken ct, bool serializable = false)
    {
        var r = await etcd.GetPrefixAsync(Keys.Alive, serializable, keysOnly: true, ct: ct);
        return r.Kvs.Select(kv => kv.Key.ToStringUtf8()[Keys.Alive.Length..]).ToHashSet();
    }

    public static async Task PutAsync(EtcdConnection etcd, NodeRecord record, CancellationToken ct) =>
        await etcd.PutAsync(Keys.Node(record.Id), ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(record with { UpdatedAt = DateTimeOffset.UtcNow }, StoreJson.Default.NodeRecord)), ct: ct);

    public static async Task<ClusterInfo> InfoAsync(EtcdConnection etcd, CancellationToken ct, bool serializable = false) =>
        await etcd.GetAsync(Keys.Info, serializable, ct) is { } kv
            ? JsonSerializer.Deserialize(kv.Value.Span, StoreJson.Default.ClusterInfo)!
            : throw new ClusterException("the store holds no cluster (cluster/info is missing)", 500);

    /// <summary>Client URLs of the voting members (learners refuse client requests).</summary>
    public static async Task<IReadOnlyList<string>> ClientEndpointsAsync(EtcdConnection etcd, CancellationToken ct)
    {
        if (etcd.Endpoints.Count > 0 && await IsExternalAsync(etcd, ct)) return etcd.Endpoints;
        var list = await etcd.Cluster.MemberListAsync(new MemberListRequest(), deadline: EtcdConnection.Deadline(), cancellationToken: ct);
        return [.. list.Members.Where(m => !m.IsLearner).SelectMany(m => m.ClientURLs).Distinct()];
    }

    static async Task<bool> IsExternalAsync(EtcdConnection etcd, CancellationToken ct)
    {
        try { return (await InfoAsync(etcd, ct, serializable: true)).ExternalEtcd; }
        catch (Grpc.Core.RpcException) { return false; }
        catch (ClusterException) { return false; }
    }

    /// <summary>Finds a node by id, id prefix or name (as docker node inspect does).</summary>
    public static async Task<NodeRecord> FindAsync(EtcdConnection etcd, string idOrName, CancellationToken ct, bool serializable = false)
    {
        var all = await ListAsync(etcd, ct, serializable);
        var exact = all.FirstOrDefault(n => n.Id == idOrName) ?? all.FirstOrDefault(n => n.Name == idOrName);
        if (exact is not null) return exact;
        var prefixed = all.Where(n => n.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
        return prefixed.Count switch
        {
            1 => prefixed[0],
            0 => throw new ClusterException($"no such node: {idOrName}", 404),
            _ => throw new ClusterException($"node {idOrName} is ambiguous ({prefixed.Count} matches)", 400),
        };
    }
}
