using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace GitOps.Cluster.Etcd;

/// <summary>
/// A gRPC connection to etcd over mutual TLS (dotnet-etcd's channel, round-robin over the members) with
/// the generated clients exposed as they are: callers set a deadline on every call, so a lost quorum or a
/// cut-off member shows as an error in seconds, never as a hang.
/// </summary>
internal sealed class EtcdConnection : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    readonly EtcdClient _client;

    public EtcdConnection(IReadOnlyList<string> endpoints, EtcdCredentials credentials)
    {
        if (endpoints.Count == 0) throw new ArgumentException("no etcd endpoint");
        Endpoints = endpoints;
        _client = new EtcdClient(string.Join(',', endpoints), credentials.Configure);
        var c = _client.GetConnection();
        Kv = c.KVClient;
        Lease = c.LeaseClient;
        Watch = c.WatchClient;
        Cluster = c.ClusterClient;
        Maintenance = c.MaintenanceClient;
        Auth = c.AuthClient;
    }

    public IReadOnlyList<string> Endpoints { get; }
    public KV.KVClient Kv { get; }
    public Lease.LeaseClient Lease { get; }
    public Watch.WatchClient Watch { get; }
    public Etcdserverpb.Cluster.ClusterClient Cluster { get; }
    public Maintenance.MaintenanceClient Maintenance { get; }
    public Auth.AuthClient Auth { get; }

    public static DateTime Deadline(TimeSpan? timeout = null) => DateTime.UtcNow + (timeout ?? DefaultTimeout);

    public static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);

    /// <summary>One key; null when absent. Serializable reads answer from the member reached even without quorum.</summary>
    public async Task<Mvccpb.KeyValue?> GetAsync(string key, bool serializable = false, CancellationToken ct = default)
    {
        var r = await Kv.RangeAsync(new RangeRequest { Key = Bytes(key), Serializable = serializable }, deadline: Deadline(), cancellationToken: ct);
        return r.Kvs.Count > 0 ? r.Kvs[0] : null;
    }

    public async Task<RangeResponse> GetPrefixAsync(string prefix, bool serializable = false, bool keysOnly = false, CancellationToken ct = default) =>
        await Kv.RangeAsync(new RangeRequest
        {
            Key = Bytes(prefix), RangeEnd = Bytes(Keys.RangeEnd(prefix)), Serializable = serializable, KeysOnly = keysOnly,
            SortOrder = RangeRequest.Types.SortOrder.Ascend, SortTarget = RangeRequest.Types.SortTarget.Key,
        }, deadline: Deadline(), cancellationToken: ct);

    public async Task<PutResponse> PutAsync(string key, ByteString value, long lease = 0, CancellationToken ct = default) =>
        await Kv.PutAsync(new PutRequest { Key = Bytes(key), Value = value, Lease = lease }, deadline: Deadline(), cancellationToken: ct);

    public async Task<TxnResponse> TxnAsync(TxnRequest txn, CancellationToken ct = default) =>
        await Kv.TxnAsync(txn, deadline: Deadline(), cancellationToken: ct);

    public async Task DeleteAsync(string key, CancellationToken ct = default) =>
        await Kv.DeleteRangeAsync(new DeleteRangeRequest { Key = Bytes(key) }, deadline: Deadline(), cancellationToken: ct);

    /// <summary>Errors that mean "etcd cannot answer now" (no quorum, unreachable, timed out) rather than "no".</summary>
    public static bool IsUnavailable(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Aborted
        || e.Status.Detail.Contains("leader changed", StringComparison.Ordinal)
        || e.Status.Detail.Contains("timed out", StringComparison.Ordinal)
        || e.Status.Detail.Contains("no leader", StringComparison.Ordinal);

    public static bool IsPermissionDenied(RpcException e) =>
        e.StatusCode == StatusCode.PermissionDenied || e.Status.Detail.Contains("permission denied", StringComparison.Ordinal);

    public void Dispose() => _client.Dispose();
}
