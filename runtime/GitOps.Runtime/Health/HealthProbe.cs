using GitOps.Runtime.Containers;
using GitOps.Runtime.Exec;

namespace GitOps.Runtime.Health;

/// <summary>
/// One run of a health check: an exec in the container (its namespaces, cgroup, user, environment and
/// working directory, through the same path as docker exec), with Docker's rules for the result.
/// </summary>
internal static class HealthProbe
{
    /// <summary>How long a probe killed at its timeout, or one whose container went away, may take to be reaped.</summary>
    static readonly TimeSpan ReapGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs the probe. Past <see cref="HealthSpec.Timeout"/> it is killed and the result is -1 with
    /// "Health check exceeded timeout (…)"; a probe that cannot start is -1 with the reason. When
    /// <paramref name="ct"/> fires (the container stopped), the probe is killed and the call throws.
    /// </summary>
    public static async Task<HealthLog> RunAsync(ExecManager execs, Container c, HealthSpec spec, CancellationToken ct)
    {
        if (spec.Kind != HealthCheckKind.Exec) return await NetworkProbe.RunAsync(c, spec, ct).ConfigureAwait(false);
        var start = DateTimeOffset.UtcNow;
        var output = new ProbeOutput();
        ExecInstance exec;
        try { exec = execs.CreateProbe(c, new ExecConfig { Cmd = spec.Command }); }
        catch (EngineException e) { return new HealthLog(start, DateTimeOffset.UtcNow, -1, e.Message); }

        // Subscribed before the start, so nothing the probe writes is missed.
        using var sub = exec.Output.Attach();
        var reading = Task.Run(async () =>
        {
            await foreach (var (_, data) in sub.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false)) output.Write(data);
        }, CancellationToken.None);
        try { execs.Start(exec); }
        catch (EngineException e) { return new HealthLog(start, DateTimeOffset.UtcNow, -1, e.Message); }

        try
        {
            var code = await exec.Exited.Task.WaitAsync(spec.Timeout, ct).ConfigureAwait(false);
            // The exit completes the output subscription; what the probe wrote last is in by then.
            await WaitQuietly(reading).ConfigureAwait(false);
            return new HealthLog(start, DateTimeOffset.UtcNow, code, output.ToString());
        }
        catch (TimeoutException)
        {
            // Docker kills a probe past its timeout, then waits for it, so dying probes never pile up.
            exec.Kill();
            await WaitQuietly(exec.Exited.Task).ConfigureAwait(false);
            await WaitQuietly(reading).ConfigureAwait(false);
            var written = output.ToString();
            var message = $"Health check exceeded timeout ({GoDuration.Format(spec.Timeout)})";
            return new HealthLog(start, DateTimeOffset.UtcNow, -1, written.Length > 0 ? $"{message}: {written}" : message);
        }
        catch (OperationCanceledException)
        {
            exec.Kill();
            throw;
        }
    }

    static async Task WaitQuietly(Task t)
    {
        try { await t.WaitAsync(ReapGrace).ConfigureAwait(false); }
        catch (TimeoutException) { }
    }
}
