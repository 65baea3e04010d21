using GitOps.Reconciler.Apps;

namespace GitOps.Reconciler.Triggers;

/// <summary>One app's schedule and run state. The run flag is what keeps firings from overlapping.</summary>
internal sealed class PollEntry(string app, AppSchedule schedule, Func<string, CancellationToken, Task> fire, long generation)
{
    private int _running;
    private int _pending;
    private long _runs;
    private long _skipped;

    public string App { get; } = app;

    public AppSchedule Schedule { get; } = schedule;

    public Func<string, CancellationToken, Task> Fire { get; } = fire;

    /// <summary>Changes whenever the app is scheduled again, so a firing of the old schedule does not re-arm itself.</summary>
    public long Generation { get; } = generation;

    /// <summary>The run in progress, if any (awaited on shutdown).</summary>
    public Task? Current { get; set; }

    public long Runs => Interlocked.Read(ref _runs);

    public long Skipped => Interlocked.Read(ref _skipped);

    public bool Running => Volatile.Read(ref _running) == 1;

    public bool TryEnter() => Interlocked.CompareExchange(ref _running, 1, 0) == 0;

    public void Exit() => Volatile.Write(ref _running, 0);

    public void CountRun() => Interlocked.Increment(ref _runs);

    public void CountSkip() => Interlocked.Increment(ref _skipped);

    /// <summary>Asks for one more run after the current one (an explicit trigger must not be lost; polls are).</summary>
    public void RequestRerun() => Volatile.Write(ref _pending, 1);

    public bool TakeRerun() => Interlocked.Exchange(ref _pending, 0) == 1;
}
