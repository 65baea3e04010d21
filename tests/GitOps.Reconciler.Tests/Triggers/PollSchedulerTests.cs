using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Triggers;

namespace GitOps.Reconciler.Tests.Triggers;

/// <summary>Real Quartz timing with short intervals; counts are asserted loosely so a busy machine cannot fail them.</summary>
public sealed class PollSchedulerTests
{
    private static readonly AppSchedule Fast = new(TimeSpan.FromMilliseconds(200), 0.1, null);

    [Fact]
    public async Task FiresRepeatedlyOnAnInterval()
    {
        await using var scheduler = new PollScheduler();
        await scheduler.StartAsync();
        var fired = 0;
        await scheduler.ScheduleAsync("pets", Fast, (app, _) => { Assert.Equal("pets", app); Interlocked.Increment(ref fired); return Task.CompletedTask; });
        await WaitUntil(() => Volatile.Read(ref fired) >= 3, TimeSpan.FromSeconds(10));
        await scheduler.ShutdownAsync();
        var after = Volatile.Read(ref fired);
        await Task.Delay(500);
        Assert.Equal(after, Volatile.Read(ref fired));
    }

    [Fact]
    public async Task ARunStillGoingMakesTheNextFiringsSkipInsteadOfOverlapping()
    {
        await using var scheduler = new PollScheduler();
        await scheduler.StartAsync();
        var concurrent = 0;
        var maxConcurrent = 0;
        var runs = 0;
        await scheduler.ScheduleAsync("slow", Fast, async (_, ct) =>
        {
            var now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref maxConcurrent, now);
            Interlocked.Increment(ref runs);
            try { await Task.Delay(700, ct); }
            finally { Interlocked.Decrement(ref concurrent); }
        });
        await WaitUntil(() => scheduler.Counters("slow").Skipped >= 2 && Volatile.Read(ref runs) >= 2, TimeSpan.FromSeconds(15));
        await scheduler.ShutdownAsync();
        Assert.Equal(1, Volatile.Read(ref maxConcurrent));
        // Skipped firings are dropped, not queued: far fewer runs than firings.
        var (started, skipped) = scheduler.Counters("slow");
        Assert.True(skipped >= 2, $"runs {started}, skipped {skipped}");
    }

    [Fact]
    public async Task FireNowRunsAtOnceAndQueuesOneRerunWhileBusy()
    {
        await using var scheduler = new PollScheduler();
        await scheduler.StartAsync();
        var gate = new TaskCompletionSource();
        var runs = 0;
        await scheduler.ScheduleAsync("app", new AppSchedule(TimeSpan.FromHours(1), 0, null), async (_, _) =>
        {
            if (Interlocked.Increment(ref runs) == 1) await gate.Task;
        });
        Assert.True(scheduler.FireNow("app"));
        await WaitUntil(() => Volatile.Read(ref runs) == 1, TimeSpan.FromSeconds(5));
        // Three triggers while the first run waits coalesce into one more run.
        Assert.True(scheduler.FireNow("app"));
        Assert.True(scheduler.FireNow("app"));
        Assert.True(scheduler.FireNow("app"));
        gate.SetResult();
        await WaitUntil(() => Volatile.Read(ref runs) == 2, TimeSpan.FromSeconds(5));
        await Task.Delay(300);
        Assert.Equal(2, Volatile.Read(ref runs));
        Assert.False(scheduler.FireNow("unknown"));
    }

    [Fact]
    public async Task UnscheduleStopsFiringAndAFailingRunKeepsTheSchedule()
    {
        var errors = 0;
        await using var scheduler = new PollScheduler((_, _) => Interlocked.Increment(ref errors));
        await scheduler.StartAsync();
        var fired = 0;
        await scheduler.ScheduleAsync("flaky", Fast, (_, _) =>
        {
            Interlocked.Increment(ref fired);
            throw new InvalidOperationException("boom");
        });
        await WaitUntil(() => Volatile.Read(ref fired) >= 2, TimeSpan.FromSeconds(10));
        Assert.True(Volatile.Read(ref errors) >= 1);
        Assert.True(await scheduler.UnscheduleAsync("flaky"));
        await Task.Delay(300);
        var after = Volatile.Read(ref fired);
        await Task.Delay(700);
        Assert.Equal(after, Volatile.Read(ref fired));
        Assert.False(await scheduler.UnscheduleAsync("flaky"));
    }

    [Fact]
    public async Task CronSchedulesFire()
    {
        await using var scheduler = new PollScheduler();
        await scheduler.StartAsync();
        var fired = 0;
        await scheduler.ScheduleAsync("cron", new AppSchedule(TimeSpan.FromSeconds(30), 0, "* * * * * ?"), (_, _) => { Interlocked.Increment(ref fired); return Task.CompletedTask; });
        await WaitUntil(() => Volatile.Read(ref fired) >= 2, TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleAsync("bad", new AppSchedule(TimeSpan.FromSeconds(1), 0, "every minute"), (_, _) => Task.CompletedTask));
    }

    [Fact]
    public void EachWaitIsTheIntervalPlusARandomShareOfIt()
    {
        var s = new AppSchedule(TimeSpan.FromSeconds(10), 0.2, null);
        Assert.Equal(TimeSpan.FromSeconds(10), PollScheduler.Delay(s, first: false, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(12), PollScheduler.Delay(s, first: false, random: 1));
        Assert.Equal(TimeSpan.FromSeconds(11), PollScheduler.Delay(s, first: false, random: 0.5));
        Assert.Equal(TimeSpan.FromSeconds(1), PollScheduler.Delay(s, first: true, random: 0.5));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"condition not met within {timeout}");
            await Task.Delay(20);
        }
    }
}
