using GitOps.Runtime.Health;

namespace GitOps.Runtime.Tests.Health;

/// <summary>Docker's health state machine: streaks, retries, the start period, the log of five.</summary>
public sealed class HealthRulesTests
{
    static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    static HealthSpec Spec(int retries = 3, double startPeriodSeconds = 0) =>
        new(["true"], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(startPeriodSeconds), TimeSpan.FromSeconds(0.5), retries);

    static HealthLog Result(double atSeconds, int code) =>
        new(T0.AddSeconds(atSeconds), T0.AddSeconds(atSeconds + 0.1), code, code == 0 ? "ok" : "bad");

    static HealthState Run(HealthSpec spec, params (double At, int Code)[] results)
    {
        var state = HealthRules.Started(null, spec)!;
        foreach (var (at, code) in results) state = HealthRules.Record(state, Result(at, code), spec, T0);
        return state;
    }

    [Fact]
    public void A_start_is_starting_with_no_streak_and_keeps_the_earlier_log()
    {
        var earlier = new HealthState(HealthStatus.Unhealthy, 4, [Result(0, 1)]);
        var started = HealthRules.Started(earlier, Spec())!;
        Assert.Equal(HealthStatus.Starting, started.Status);
        Assert.Equal(0, started.FailingStreak);
        Assert.Single(started.Log);
        Assert.Null(HealthRules.Started(earlier, null));
    }

    [Fact]
    public void Success_is_healthy_and_clears_the_streak()
    {
        var s = Run(Spec(), (1, 1), (2, 1), (3, 0));
        Assert.Equal(HealthStatus.Healthy, s.Status);
        Assert.Equal(0, s.FailingStreak);
    }

    [Fact]
    public void Retries_failures_in_a_row_make_it_unhealthy_and_fewer_keep_the_status()
    {
        var spec = Spec(retries: 3);
        var two = Run(spec, (1, 1), (2, 1));
        Assert.Equal((HealthStatus.Starting, 2), (two.Status, two.FailingStreak));
        var three = Run(spec, (1, 1), (2, 1), (3, 1));
        Assert.Equal((HealthStatus.Unhealthy, 3), (three.Status, three.FailingStreak));
        // A healthy container stays healthy through fewer failures than retries.
        var healthy = Run(spec, (1, 0), (2, 1), (3, 1));
        Assert.Equal((HealthStatus.Healthy, 2), (healthy.Status, healthy.FailingStreak));
        // Any non-zero code is a failure, -1 (timeout, could not run) too.
        var timeouts = Run(Spec(retries: 1), (1, -1));
        Assert.Equal(HealthStatus.Unhealthy, timeouts.Status);
    }

    [Fact]
    public void Failures_within_the_start_period_do_not_count_until_the_first_success()
    {
        var spec = Spec(retries: 1, startPeriodSeconds: 10);
        var early = Run(spec, (1, 1), (2, 1), (9.9, 1));
        Assert.Equal((HealthStatus.Starting, 0, 3), (early.Status, early.FailingStreak, early.Log.Count));
        var late = Run(spec, (1, 1), (10, 1));
        Assert.Equal((HealthStatus.Unhealthy, 1), (late.Status, late.FailingStreak));
        // Once healthy, the start period no longer shields a failure.
        var afterSuccess = Run(spec, (1, 0), (2, 1));
        Assert.Equal((HealthStatus.Unhealthy, 1), (afterSuccess.Status, afterSuccess.FailingStreak));
    }

    [Fact]
    public void The_log_keeps_the_last_five_results_oldest_first()
    {
        var s = Run(Spec(retries: 100), Enumerable.Range(1, 8).Select(i => ((double)i, i)).ToArray());
        Assert.Equal([4, 5, 6, 7, 8], s.Log.Select(l => l.ExitCode));
    }

    [Fact]
    public void Stopping_reads_unhealthy_and_keeps_the_rest()
    {
        var healthy = Run(Spec(), (1, 0));
        var stopped = HealthRules.Stopped(healthy)!;
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
        Assert.Equal(healthy.Log, stopped.Log);
        Assert.Null(HealthRules.Stopped(null));
    }

    [Fact]
    public void The_start_interval_applies_only_while_starting_within_the_start_period()
    {
        var spec = Spec(startPeriodSeconds: 10);
        var starting = HealthRules.Started(null, spec);
        Assert.Equal(TimeSpan.FromSeconds(0.5), HealthRules.NextDelay(spec, starting, T0, T0.AddSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(1), HealthRules.NextDelay(spec, starting, T0, T0.AddSeconds(11)));
        var healthy = Run(spec, (1, 0));
        Assert.Equal(TimeSpan.FromSeconds(1), HealthRules.NextDelay(spec, healthy, T0, T0.AddSeconds(3)));
    }
}
