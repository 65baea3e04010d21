using GitOps.Cluster.Etcd;
using Grpc.Core;

namespace GitOps.Cluster.Election;

/// <summary>
/// A manager's candidacy, for as long as it is a manager: campaign with a lease of its own; once leading,
/// hold until the lease is lost (or presumed lost: a partitioned leader gives up within one TTL, before the
/// majority elects another), then campaign again. <see cref="Current"/> is the leadership to fence writes
/// with, or null; <see cref="Changed"/> tells the controller (built on this) when it starts or stops leading.
/// </summary>
internal sealed class ElectionRunner(EtcdConnection etcd, string candidate, Action<string> log) : IAsyncDisposable
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    readonly CancellationTokenSource _stop = new();
    readonly LeaderElection _election = new(etcd, Keys.Election);
    Task? _loop;
    volatile Leadership? _current;

    public LeaderElection Election => _election;

    /// <summary>The leadership while it is held; null otherwise.</summary>
    public Leadership? Current => _current is { IsHeld: true } l ? l : null;

    public event Action<Leadership?>? Changed;

    public void Start() => _loop = Task.Run(RunAsync);

    async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            LeaseSession? session = null;
            try
            {
                session = await LeaseSession.GrantAsync(etcd, Ttl, _stop.Token);
                var won = await _election.CampaignAsync(candidate, session, _stop.Token);
                _current = won;
                log($"cluster: this manager is now the leader (election key {won.Key}, revision {won.CreateRevision})");
                Changed?.Invoke(won);
                using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, session.Lost);
                // Presumed loss comes from the session (no confirmed keep-alive for a TTL) or etcd expiring the lease.
                try { await Task.Delay(Timeout.Infinite, both.Token); } catch (OperationCanceledException) { }
                if (!_stop.IsCancellationRequested) log("cluster: leadership lost (the election lease could not be renewed)");
            }
            catch (RpcException) { }
            catch (ClusterException) { }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested || session?.Lost.IsCancellationRequested == true) { }
            // Any other failure (a call cancelled at its deadline while connecting, ...) is one lost campaign: this
            // loop must outlive it, or the manager never campaigns again and a lost leader is never replaced.
            catch (Exception e) when (e is not OutOfMemoryException) { log($"cluster: election attempt failed ({e.Message}); campaigning again"); }
            var was = _current;
            _current = null;
            if (was is not null) Changed?.Invoke(null);
            if (session is not null)
            {
                if (was is not null && _stop.IsCancellationRequested)
                    try { await _election.ResignAsync(was); } catch (Exception e) when (e is RpcException or OperationCanceledException) { }
                await session.DisposeAsync();
            }
            try { await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>Resigns (the next manager leads at once rather than after the TTL) and stops campaigning.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
}
