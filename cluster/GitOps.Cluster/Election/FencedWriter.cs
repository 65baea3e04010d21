using Etcdserverpb;
using GitOps.Cluster.Etcd;

namespace GitOps.Cluster.Election;

/// <summary>
/// The leader's only way to write: a transaction whose first comparison is "my election key still has
/// the create revision I won with". A deposed leader — lease expired, key deleted, a new candidate in
/// its place — fails that comparison, so nothing it sends changes the store, however late it arrives.
/// </summary>
internal sealed class FencedWriter(EtcdConnection etcd, Leadership leadership)
{
    public Leadership Leadership { get; } = leadership;

    /// <summary>Runs <paramref name="ops"/> if still leader and <paramref name="compares"/> hold; false when only the caller's compares failed.</summary>
    public async Task<TxnResponse> TxnAsync(IEnumerable<Compare> compares, IEnumerable<RequestOp> ops, IEnumerable<RequestOp>? otherwise = null, CancellationToken ct = default)
    {
        if (!Leadership.IsHeld) throw new NotLeaderException("not the leader any more: the election lease is lost");
        var fence = new Compare
        {
            Key = EtcdConnection.Bytes(Leadership.Key), Target = Compare.Types.CompareTarget.Create,
            Result = Compare.Types.CompareResult.Equal, CreateRevision = Leadership.CreateRevision,
        };
        var txn = new TxnRequest { Compare = { fence } };
        txn.Compare.AddRange(compares);
        txn.Success.AddRange(ops);
        // On failure, read the fence key back to tell "deposed" from "the caller's own compares failed".
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = fence.Key } });
        if (otherwise is not null) txn.Failure.AddRange(otherwise);
        var r = await etcd.TxnAsync(txn, ct);
        if (r.Succeeded) return r;
        var kvs = r.Responses[0].ResponseRange.Kvs;
        if (kvs.Count == 0 || kvs[0].CreateRevision != Leadership.CreateRevision)
            throw new NotLeaderException("not the leader any more: the election key is gone; the write was refused");
        return r;
    }

    public Task<TxnResponse> PutAsync(string key, Google.Protobuf.ByteString value, CancellationToken ct = default) =>
        TxnAsync([], [new RequestOp { RequestPut = new PutRequest { Key = EtcdConnection.Bytes(key), Value = value } }], ct: ct);

    public Task<TxnResponse> DeleteAsync(string key, CancellationToken ct = default) =>
        TxnAsync([], [new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = EtcdConnection.Bytes(key) } }], ct: ct);
}
