using System.Text.Json;
using GitOps.Cluster.Etcd;
using Grpc.Core;

namespace GitOps.Cluster.Membership;

/// <summary>
/// The node's liveness: alive/{id} attached to a lease of 5 s kept alive every second. When etcd cannot be
/// reached for a whole TTL the key expires and managers see the node down; the heartbeat then starts over
/// with a new lease as soon as etcd answers again.
/// </summary>
internal sealed class Heartbeat(EtcdConnection etcd, string nodeId, string address, Action<string> log) : IAsyncDisposable
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    readonly CancellationTokenSource _stop = new();
    Task? _loop;
    LeaseSession? _session;

    public bool IsAlive => _session?.IsAlive == true;

    public void Start() => _loop = Task.Run(RunAsync);

    async Task RunAsync()
    {
        var reported = false;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _session = await LeaseSession.GrantAsync(etcd, Ttl, _stop.Token);
                var record = new AliveRecord(nodeId, DateTimeOffset.UtcNow, address);
                await etcd.PutAsync(Keys.AliveKey(nodeId), Google.Protobuf.ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(record, StoreJson.Default.AliveRecord)), _session.Id, _stop.Token);
                if (reported) log("cluster: heartbeat restored");
                reported = false;
                using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _session.Lost);
                try { await Task.Delay(Timeout.Infinite, both.Token); } catch (OperationCanceledException) { }
            }
            catch (RpcException e)
            {
                if (!reported) log($"cluster: heartbeat failing ({e.Status.Detail}); retrying");
                reported = true;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { break; }
            // Anything else (a call cancelled at its deadline while connecting, an unexpected error) is one failed
            // attempt: a heartbeat loop that ended would leave this node "down" for good once the network is back.
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (!reported) log($"cluster: heartbeat failing ({e.Message}); retrying");
                reported = true;
            }
            catch (ClusterException e)
            {
                if (!reported) log($"cluster: heartbeat failing ({e.Message}); retrying");
                reported = true;
            }
            if (_session is { } s && !_stop.IsCancellationRequested)
            {
                await s.DisposeAsync();
                _session = null;
            }
            try { await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>Stops and revokes the lease: the node shows down at once instead of after the TTL.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        if (_session is { } s) await s.DisposeAsync();
        _stop.Dispose();
    }
}
