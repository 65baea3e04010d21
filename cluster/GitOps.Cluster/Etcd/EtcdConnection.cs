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
        _client = new EtcdClient(string.Join(',', endpoints), credentials.Configure, configureChannelOptions: DetectDeadMembers);
        var c = _client.GetConnection();
        Kv = c.KVClient;
        Lease = c.LeaseClient;
        Watch = c.WatchClient;
        Cluster = c.ClusterClient;
        Maintenance = c.MaintenanceClient;
        Auth = c.AuthClient;
    }

    /// <summary>How long a member may stay silent on an open connection before the connection is presumed dead.</summary>
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A member cut off by the network does not close its connections; it goes silent. Without pings the channel
    /// keeps it READY, round-robin keeps sending it calls, and a watch open on it (an election candidate waiting
    /// for the leader's key to go) waits forever, so the majority never elects another leader. HTTP/2 pings every
    /// second, even with no call in flight, fail such a connection within a few seconds, which fails its streams
    /// (their owners retry on a live member). A short reconnect back-off brings a member back soon after the
    /// network does (gRPC's default grows to two minutes, which kept healed nodes "down" long after a partition).
    /// </summary>
    static void DetectDeadMembers(Grpc.Net.Client.GrpcChannelOptions options)
    {
        if (options.HttpHandler is System.Net.Http.SocketsHttpHandler handler)
        {
            handler.KeepAlivePingDelay = TimeSpan.FromSeconds(1);
            handler.KeepAlivePingTimeout = PingTimeout;
            handler.KeepAlivePingPolicy = System.Net.Http.HttpKeepAlivePingPolicy.Always;
            handler.ConnectTimeout = TimeSpan.FromSeconds(3);
        }
        options.InitialReconnectBackoff = TimeSpan.FromMilliseconds(500);
        options.MaxReconnectBackoff = TimeSpan.FromSeconds(2);
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
