using System.Runtime.CompilerServices;
using Etcdserverpb;
using Grpc.Core;
using Mvccpb;

namespace GitOps.Cluster.Etcd;

/// <summary>A watch on a key or a prefix from a revision, as an async stream of events (the caller retries on error).</summary>
internal static class EtcdWatch
{
    /// <summary>
    /// Asks etcd to cancel the watch when the member loses its leader ("hasleader"), as the Go client's
    /// WithRequireLeader: a partitioned member must not keep feeding a watcher stale silence.
    /// </summary>
    static readonly Metadata RequireLeader = new() { { "hasleader", "true" } };

    public static async IAsyncEnumerable<Event> WatchAsync(EtcdConnection etcd, string key, bool prefix, long startRevision,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var call = etcd.Watch.Watch(RequireLeader, cancellationToken: ct);
        var create = new WatchCreateRequest { Key = EtcdConnection.Bytes(key), StartRevision = startRevision };
        if (prefix) create.RangeEnd = EtcdConnection.Bytes(Keys.RangeEnd(key));
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, ct);
        while (await call.ResponseStream.MoveNext(ct))
        {
            var r = call.ResponseStream.Current;
            if (r.Canceled)
                throw new RpcException(new Status(StatusCode.Unavailable, $"watch cancelled: {(r.CancelReason.Length > 0 ? r.CancelReason : "no reason")}"));
            foreach (var e in r.Events) yield return e;
        }
        throw new RpcException(new Status(StatusCode.Unavailable, "watch stream ended"));
    }
}
