using Etcdserverpb;
using Grpc.Core;

namespace GitOps.Cluster.Etcd;

/// <summary>
/// An etcd lease kept alive (every TTL/5) for as long as this object lives. <see cref="Lost"/> fires when
/// etcd says the lease expired, or when no keep-alive has been confirmed for a whole TTL — then the lease
/// must be presumed gone, whatever etcd will eventually decide, so its holder stops acting on it (a
/// partitioned leader stops leading before the others elect a new one).
/// </summary>
internal sealed class LeaseSession : IAsyncDisposable
{
    readonly EtcdConnection _etcd;
    readonly CancellationTokenSource _lost = new();
    readonly CancellationTokenSource _stop = new();
    readonly Task _keeper;
    long _confirmedUntilTicks;

    LeaseSession(EtcdConnection etcd, long id, TimeSpan ttl, DateTime confirmedAt)
    {
        _etcd = etcd;
        Id = id;
        Ttl = ttl;
        _confirmedUntilTicks = (confirmedAt + ttl).Ticks;
        _keeper = Task.Run(KeepAliveAsync);
    }

    public long Id { get; }
    public TimeSpan Ttl { get; }
    public CancellationToken Lost => _lost.Token;

    /// <summary>True while the lease is certainly alive: confirmed by etcd less than one TTL ago (measured from the request's sending).</summary>
    public bool IsAlive => !_lost.IsCancellationRequested && DateTime.UtcNow.Ticks < Interlocked.Read(ref _confirmedUntilTicks);

    public static async Task<LeaseSession> GrantAsync(EtcdConnection etcd, TimeSpan ttl, CancellationToken ct)
    {
        var sent = DateTime.UtcNow;
        var r = await etcd.Lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)ttl.TotalSeconds }, deadline: EtcdConnection.Deadline(), cancellationToken: ct);
        if (!string.IsNullOrEmpty(r.Error)) throw new ClusterException($"etcd refused a lease: {r.Error}", 503);
        return new LeaseSession(etcd, r.ID, TimeSpan.FromSeconds(r.TTL), sent);
    }

    async Task KeepAliveAsync()
    {
        var interval = Ttl / 5;
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(interval, _stop.Token); }
            catch (OperationCanceledException) { return; }
            var sent = DateTime.UtcNow;
            try
            {
                using var call = _etcd.Lease.LeaseKeepAlive(deadline: sent + interval * 2, cancellationToken: _stop.Token);
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = Id });
                await call.RequestStream.CompleteAsync();
                if (await call.ResponseStream.MoveNext(_stop.Token))
                {
                    var ttl = call.ResponseStream.Current.TTL;
                    if (ttl <= 0)
                    {
                        // etcd has expired (or revoked) the lease: nothing can bring it back.
                        await _lost.CancelAsync();
                        return;
                    }
                    Interlocked.Exchange(ref _confirmedUntilTicks, (sent + TimeSpan.FromSeconds(ttl)).Ticks);
                }
            }
            catch (RpcException) { }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
            // gRPC ends a call whose deadline passes while its connection is being made as a cancelled task, not
            // always as DeadlineExceeded: an unconfirmed keep-alive like any other, never the end of this loop.
            catch (OperationCanceledException) { }
            if (DateTime.UtcNow.Ticks >= Interlocked.Read(ref _confirmedUntilTicks))
            {
                await _lost.CancelAsync();
                return;
            }
        }
    }

    /// <summary>Stops the keep-alives and revokes the lease (best effort: unreachable etcd lets it expire).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _keeper; } catch (OperationCanceledException) { }
        if (!_lost.IsCancellationRequested)
        {
            try { await _etcd.Lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = Id }, deadline: EtcdConnection.Deadline(TimeSpan.FromSeconds(2))); }
            catch (Exception e) when (e is RpcException or OperationCanceledException) { }
            await _lost.CancelAsync();
        }
        _stop.Dispose();
    }
}
