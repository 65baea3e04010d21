using System.Collections.Concurrent;
using GitOps.Reconciler.Apps;
using Quartz;

namespace GitOps.Reconciler.Triggers;

/// <summary>
/// Polls apps on their schedules with Quartz.NET: every interval plus a random share of it (each wait is
/// interval + random(0..jitter·interval), so a hundred apps drift apart instead of fetching in the same
/// second), or on a Quartz cron expression. One run at a time per app: a firing that finds the previous run
/// still going is skipped, not queued, so a slow app never builds up a backlog.
/// </summary>
/// <remarks>
/// Interval schedules are a chain of one-shot triggers, each firing arming the next with fresh jitter (Quartz's
/// repeating triggers have a fixed period). Every link gets its own trigger key: Quartz deletes a fired
/// one-shot trigger after its job returns, and would take a re-used key's new trigger with it. The job only
/// starts the app's run and returns, so Quartz's small thread pool never waits on a reconcile.
/// </remarks>
internal sealed class PollScheduler : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PollEntry> _entries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Action<string, Exception>? _onError;
    private IScheduler? _scheduler;
    private long _generation;
    private long _triggerSequence;

    /// <param name="onError">Called with the app's name when its fire callback throws (the schedule goes on).</param>
    public PollScheduler(Action<string, Exception>? onError = null) => _onError = onError;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_scheduler is not null) return;
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            // A unique name: Quartz keeps schedulers in a process-wide repository by name.
            q.ConfigureScheduler(o => o.InstanceName = "gitops-poll-" + Guid.NewGuid().ToString("N")[..8]);
            q.UseJobFactory(new PollJobFactory(this));
            q.UseInMemoryStore(_ => { });
            q.UseDefaultThreadPool(2);
        }).BuildScheduler(cancellationToken).ConfigureAwait(false);
        await scheduler.Start(cancellationToken).ConfigureAwait(false);
        _scheduler = scheduler;
        foreach (var entry in _entries.Values) await ArmAsync(entry, first: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Schedules <paramref name="app"/> (replacing an earlier schedule of it). <paramref name="fire"/> gets the app's name and a token cancelled at shutdown.</summary>
    public async Task ScheduleAsync(string app, AppSchedule schedule, Func<string, CancellationToken, Task> fire, CancellationToken cancellationToken = default)
    {
        if (schedule.Cron is null && schedule.Interval <= TimeSpan.Zero) throw new ArgumentException("the interval must be positive", nameof(schedule));
        if (schedule.Cron is { } cron && !CronExpression.TryParse(cron, out _)) throw new ArgumentException($"'{cron}' is not a valid cron expression", nameof(schedule));
        var entry = new PollEntry(app, schedule, fire, Interlocked.Increment(ref _generation));
        _entries.TryGetValue(app, out var previous);
        _entries[app] = entry;
        // A run of the old schedule that is still going keeps the app busy: the new schedule must not overlap it.
        if (previous?.Current is { IsCompleted: false } running) entry.Current = running;
        if (_scheduler is null) return;
        await _scheduler.DeleteJob(JobKeyOf(app), cancellationToken).ConfigureAwait(false);
        await ArmAsync(entry, first: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops polling <paramref name="app"/>; a run in progress finishes. False if it was not scheduled.</summary>
    public async Task<bool> UnscheduleAsync(string app, CancellationToken cancellationToken = default)
    {
        if (!_entries.TryRemove(app, out _)) return false;
        if (_scheduler is not null) await _scheduler.DeleteJob(JobKeyOf(app), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Runs <paramref name="app"/> now (a webhook, <c>gitops sync</c>). If it is running already, one more run
    /// follows the current one: unlike a poll, an explicit trigger names a change that must not be missed.
    /// </summary>
    /// <returns>False when the app is not scheduled.</returns>
    public bool FireNow(string app)
    {
        if (!_entries.TryGetValue(app, out var entry)) return false;
        if (!TryStart(entry)) entry.RequestRerun();
        return true;
    }

    /// <summary>Runs started and firings skipped because a run was still going, for status and tests.</summary>
    public (long Runs, long Skipped) Counters(string app) =>
        _entries.TryGetValue(app, out var e) ? (e.Runs, e.Skipped) : (0, 0);

    public IReadOnlyCollection<string> Apps => [.. _entries.Keys];

    /// <summary>Stops firing, cancels the token runs were given and waits for them to end.</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        if (_scheduler is { } scheduler)
        {
            _scheduler = null;
            await scheduler.Shutdown(false, cancellationToken).ConfigureAwait(false);
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        var running = _entries.Values.Select(e => e.Current).OfType<Task>().Where(t => !t.IsCompleted).ToList();
        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>The wait before an interval firing: interval + random(0..jitter·interval); the first one is only the random part.</summary>
    public static TimeSpan Delay(AppSchedule schedule, bool first, double random)
    {
        var jitter = TimeSpan.FromTicks((long)(schedule.Interval.Ticks * Math.Clamp(schedule.Jitter, 0, 1) * random));
        return first ? jitter : schedule.Interval + jitter;
    }

    internal async ValueTask OnFiredAsync(string app, TriggerKey trigger, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(app, out var entry) || !trigger.Name.StartsWith(TriggerPrefix(entry), StringComparison.Ordinal)) return;
        if (entry.Schedule.Cron is null)
        {
            try { await ArmAsync(entry, first: false, cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (e is SchedulerException or ObjectDisposedException or OperationCanceledException)
            {
                // Unscheduled or shut down while this firing ran: nothing to re-arm.
            }
        }
        if (!TryStart(entry)) entry.CountSkip();
    }

    private async Task ArmAsync(PollEntry entry, bool first, CancellationToken cancellationToken)
    {
        var scheduler = _scheduler;
        if (scheduler is null || !_entries.TryGetValue(entry.App, out var current) || current.Generation != entry.Generation) return;
        var key = new TriggerKey(TriggerPrefix(entry) + Interlocked.Increment(ref _triggerSequence));
        ITrigger trigger;
        if (entry.Schedule.Cron is { } cron)
        {
            // A firing missed while the daemon was stopped or busy is dropped, not replayed.
            trigger = TriggerBuilder.Create().WithIdentity(key).ForJob(JobKeyOf(entry.App))
                .WithCronSchedule(cron, b => b.WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)).Build();
        }
        else
        {
            // One-shot: a late one still fires (FireNow), or the chain of firings would end.
            trigger = TriggerBuilder.Create().WithIdentity(key).ForJob(JobKeyOf(entry.App))
                .StartAt(DateTimeOffset.UtcNow + Delay(entry.Schedule, first, Random.Shared.NextDouble()))
                .WithSimpleSchedule(b => b.WithRepeatCount(0).WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)).Build();
        }
        if (first)
        {
            var job = JobBuilder.Create<PollJob>().WithIdentity(JobKeyOf(entry.App)).StoreDurably().Build();
            await scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await scheduler.ScheduleJob(trigger, new ScheduleJobOptions(), cancellationToken).ConfigureAwait(false);
        }
    }

    private bool TryStart(PollEntry entry)
    {
        if (!entry.TryEnter()) return false;
        entry.Current = Task.Run(() => RunAsync(entry));
        return true;
    }

    private async Task RunAsync(PollEntry entry)
    {
        var token = _stopping.Token;
        try
        {
            do
            {
                entry.CountRun();
                try
                {
                    await entry.Fire(entry.App, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // One app's failure is its own: report it and keep the schedule.
                    _onError?.Invoke(entry.App, e);
                }
            }
            while (!token.IsCancellationRequested && entry.TakeRerun());
        }
        finally
        {
            entry.Exit();
        }
        // A rerun asked for between the last check and Exit would otherwise wait for the next poll.
        if (!token.IsCancellationRequested && entry.TakeRerun() && _entries.TryGetValue(entry.App, out var current) && current == entry && !TryStart(entry))
            entry.RequestRerun();
    }

    private static JobKey JobKeyOf(string app) => new(app);

    private static string TriggerPrefix(PollEntry entry) => entry.App + "#" + entry.Generation + "#";
}
