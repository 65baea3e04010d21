using GitOps.Runtime.Containers;
using GitOps.Runtime.Exec;

namespace GitOps.Runtime.Health;

/// <summary>
/// Runs the health checks of running containers: one loop per container that sleeps the interval (the
/// start interval while starting within the start period), probes through exec and records the result
/// in the container's state, which is persisted, so a daemon restarted with the container still
/// running carries on from the same status. A status that a probe changes is published as Docker's
/// "health_status: …" event; every status change, whatever caused it, is raised as <see cref="Changed"/>.
/// </summary>
public sealed class HealthMonitor(ContainerManager containers, ExecManager execs) : IContainerRunObserver, IDisposable
{
    readonly Lock _gate = new();
    readonly Dictionary<string, CancellationTokenSource> _loops = new(StringComparer.Ordinal);

    /// <summary>
    /// A container's health status changed. For the reconciler (dependencies on healthy services,
    /// rollouts that wait for health) and the routers (no new connections to a backend until healthy).
    /// Raised on a thread of the monitor; a handler returns quickly, and its exceptions are logged.
    /// </summary>
    public event Action<HealthChange>? Changed;

    public void Running(Container c)
    {
        var spec = HealthSpec.From(c.Config.Healthcheck);
        if (spec is null) return;
        var cts = new CancellationTokenSource();
        lock (_gate)
        {
            if (_loops.Remove(c.Id, out var old)) old.Cancel();
            _loops[c.Id] = cts;
        }
        // A start has just set "starting"; an adopted container keeps what it had. Either way, say so.
        if (c.State.Health is { } h) Raise(c, h, previous: null);
        _ = Task.Run(() => LoopAsync(c, spec, cts.Token), CancellationToken.None);
    }

    public void NotRunning(Container c)
    {
        CancellationTokenSource? cts;
        lock (_gate) _loops.Remove(c.Id, out cts);
        if (cts is null) return;
        cts.Cancel();
        // Docker: a check that no longer runs reads "unhealthy", with no event. The lock orders this
        // after any result being recorded, and a result that comes later is dropped (its loop is cancelled).
        HealthState? before, after;
        lock (_gate) (before, after) = Change(c, HealthRules.Stopped);
        if (after is not null && after.Status != before?.Status) Raise(c, after, before?.Status);
    }

    async Task LoopAsync(Container c, HealthSpec spec, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var s = c.State;
                await Task.Delay(HealthRules.NextDelay(spec, s.Health, s.StartedAt, DateTimeOffset.UtcNow), ct).ConfigureAwait(false);
                var result = await HealthProbe.RunAsync(execs, c, spec, ct).ConfigureAwait(false);
                HealthState? before, after;
                lock (_gate)
                {
                    if (ct.IsCancellationRequested) return;
                    (before, after) = Change(c, current => HealthRules.Record(current, result, spec, c.State.StartedAt));
                }
                if (after is null || after.Status == before?.Status) continue;
                containers.Publish(c, "health_status: " + after.Status);
                Raise(c, after, before?.Status);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            // A bug here must not go unseen, nor take the daemon down.
            Console.Error.WriteLine($"container {Ids.Short(c.Id)}: health check stopped: {e}");
        }
    }

    static (HealthState? Before, HealthState? After) Change(Container c, Func<HealthState?, HealthState?> change)
    {
        HealthState? before = null, after = null;
        if (c.Removed) return (null, null);
        c.Update(s =>
        {
            before = s.Health;
            after = change(s.Health);
            return s with { Health = after };
        });
        return (before, after);
    }

    void Raise(Container c, HealthState state, string? previous)
    {
        var change = new HealthChange(c.Id, c.Name, state.Status, previous, state.FailingStreak, c.Config.Labels);
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try { ((Action<HealthChange>)handler)(change); }
            catch (Exception e) { Console.Error.WriteLine($"container {Ids.Short(c.Id)}: health change handler: {e.Message}"); }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var cts in _loops.Values) cts.Cancel();
            _loops.Clear();
        }
    }
}
