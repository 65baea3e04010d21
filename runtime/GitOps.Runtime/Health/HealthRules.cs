using GitOps.Runtime.Containers;

namespace GitOps.Runtime.Health;

/// <summary>Docker's health state machine (daemon/health.go), as pure functions of the state.</summary>
public static class HealthRules
{
    /// <summary>Docker keeps the last five results.</summary>
    public const int MaxLogEntries = 5;

    /// <summary>
    /// A (re)start: "starting" with no failures counted; the log of earlier runs stays, as Docker keeps
    /// it. Null without a health check.
    /// </summary>
    public static HealthState? Started(HealthState? current, HealthSpec? spec) =>
        spec is null ? null : new HealthState(HealthStatus.Starting, 0, current?.Log ?? []);

    /// <summary>
    /// The process stopped or was paused: Docker reports a check that no longer runs as "unhealthy"
    /// (its monitor sets it "for compatibility reasons") and publishes no event for it.
    /// </summary>
    public static HealthState? Stopped(HealthState? current) =>
        current is null ? null : current with { Status = HealthStatus.Unhealthy };

    /// <summary>
    /// One probe's result. Success makes the container healthy and clears the streak. A failure counts
    /// towards the streak unless the container has never been healthy and the probe started within the
    /// start period; <see cref="HealthSpec.Retries"/> failures in a row make it unhealthy.
    /// </summary>
    public static HealthState Record(HealthState? current, HealthLog result, HealthSpec spec, DateTimeOffset startedAt)
    {
        current ??= new HealthState(HealthStatus.Starting, 0, []);
        var log = current.Log.Count >= MaxLogEntries ? current.Log.Skip(current.Log.Count - MaxLogEntries + 1).Append(result).ToList() : current.Log.Append(result).ToList();
        if (result.ExitCode == 0) return new HealthState(HealthStatus.Healthy, 0, log);
        var inStartPeriod = current.Status == HealthStatus.Starting && result.Start - startedAt < spec.StartPeriod;
        if (inStartPeriod) return current with { Log = log };
        var streak = current.FailingStreak + 1;
        return new HealthState(streak >= spec.Retries ? HealthStatus.Unhealthy : current.Status, streak, log);
    }

    /// <summary>
    /// How long to wait before the next probe: the start interval while the container is still
    /// starting within its start period, the interval otherwise (the first probe too waits one).
    /// </summary>
    public static TimeSpan NextDelay(HealthSpec spec, HealthState? current, DateTimeOffset startedAt, DateTimeOffset now) =>
        now - startedAt < spec.StartPeriod && current?.Status == HealthStatus.Starting ? spec.StartInterval : spec.Interval;

    /// <summary>
    /// Whether a container may take new connections as a router backend: one without a health check
    /// always may; one with a check only once it is healthy (as Swarm routes only to healthy tasks).
    /// </summary>
    public static bool IsReady(Container c) =>
        HealthSpec.From(c.Config.Healthcheck) is null || c.State.Health?.Status == HealthStatus.Healthy;
}
