using Etcdserverpb;
using Google.Protobuf;
using GitOps.Cluster.Etcd;
using Grpc.Core;
using Mvccpb;

namespace GitOps.Cluster.Election;

/// <summary>
/// Leader election with etcd's own recipe (the Go client's concurrency.Election): each candidate writes
/// PREFIX/{lease id} attached to its lease; the key with the lowest create revision leads; the others
/// each wait for the deletion of the key just before theirs. A leader's lease expiring (crash,
/// partition) deletes its key, and the next candidate leads. Built on KV, Txn and Watch only, so it runs
/// under the fleet's RBAC like any other key.
/// </summary>
internal sealed class LeaderElection(EtcdConnection etcd, string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>Blocks until <paramref name="candidate"/> leads (or the session is lost, or <paramref name="ct"/> fires).</summary>
    public async Task<Leadership> CampaignAsync(string candidate, LeaseSession session, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, session.Lost);
        var token = linked.Token;
        var key = Prefix + session.Id.ToString("x16");
        var k = EtcdConnection.Bytes(key);
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = k, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = k, Value = ByteString.CopyFromUtf8(candidate), Lease = session.Id } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = k } } },
        };
        var r = await etcd.TxnAsync(txn, token);
        var myRevision = r.Succeeded ? r.Header.Revision : r.Responses[0].ResponseRange.Kvs[0].CreateRevision;
        try
        {
            while (true)
            {
                var before = await etcd.Kv.RangeAsync(new RangeRequest
                {
                    Key = EtcdConnection.Bytes(Prefix), RangeEnd = EtcdConnection.Bytes(Keys.RangeEnd(Prefix)),
                    SortTarget = RangeRequest.Types.SortTarget.Create, SortOrder = RangeRequest.Types.SortOrder.Descend,
                    MaxCreateRevision = myRevision - 1, Limit = 1,
                }, deadline: EtcdConnection.Deadline(), cancellationToken: token);
                if (before.Kvs.Count == 0) return new Leadership(key, myRevision, candidate, session);
                await WaitDeletedAsync(before.Kvs[0].Key.ToStringUtf8(), before.Header.Revision + 1, token);
            }
        }
        catch
        {
            // Gave up (cancelled, lost, failed): withdraw, so no one waits behind a key that will never lead.
            try { await etcd.DeleteAsync(key, CancellationToken.None); } catch (Exception e) when (e is RpcException or OperationCanceledException) { }
            throw;
        }
    }

    async Task WaitDeletedAsync(string key, long fromRevision, CancellationToken ct)
    {
        await foreach (var e in EtcdWatch.WatchAsync(etcd, key, prefix: false, fromRevision, ct))
            if (e.Type == Event.Types.EventType.Delete) return;
    }

    /// <summary>The current leader, or null when no one campaigns. Serializable reads answer without quorum (maybe stale).</summary>
    public async Task<LeaderInfo?> LeaderAsync(bool serializable = false, CancellationToken ct = default)
    {
        var r = await etcd.Kv.RangeAsync(new RangeRequest
        {
            Key = EtcdConnection.Bytes(Prefix), RangeEnd = EtcdConnection.Bytes(Keys.RangeEnd(Prefix)),
            SortTarget = RangeRequest.Types.SortTarget.Create, SortOrder = RangeRequest.Types.SortOrder.Ascend, Limit = 1,
            Serializable = serializable,
        }, deadline: EtcdConnection.Deadline(), cancellationToken: ct);
        return r.Kvs.Count == 0 ? null : new LeaderInfo(r.Kvs[0].Value.ToStringUtf8(), r.Kvs[0].Key.ToStringUtf8(), r.Kvs[0].CreateRevision);
    }

    /// <summary>The leader now and after every change, until <paramref name="ct"/> fires or the watch fails.</summary>
    public async IAsyncEnumerable<LeaderInfo?> ObserveAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var r = await etcd.GetPrefixAsync(Prefix, ct: ct);
        var current = await LeaderAsync(ct: ct);
        yield return current;
        await foreach (var _ in EtcdWatch.WatchAsync(etcd, Prefix, prefix: true, r.Header.Revision + 1, ct))
        {
            var next = await LeaderAsync(ct: ct);
            if (next?.Key == current?.Key) continue;
            current = next;
            yield return current;
        }
    }

    /// <summary>Gives up leadership (or candidacy) now instead of at lease expiry.</summary>
    public async Task ResignAsync(Leadership leadership, CancellationToken ct = default)
    {
        var k = EtcdConnection.Bytes(leadership.Key);
        await etcd.TxnAsync(new TxnRequest
        {
            Compare = { new Compare { Key = k, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = leadership.CreateRevision } },
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = k } } },
        }, ct);
    }
}
