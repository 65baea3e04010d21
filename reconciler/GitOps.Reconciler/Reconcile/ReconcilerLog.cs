namespace GitOps.Reconciler.Reconcile;

/// <summary>A kind of log line. The ID and name never change meaning, so alerts and log queries can key on them.</summary>
internal readonly record struct LogEvent(int Id, string Name, string Level = "info");

/// <summary>Every event the reconciler logs, with its stable ID.</summary>
internal static class LogEvents
{
    public static readonly LogEvent ApplyStep = new(1001, "apply.step");
    public static readonly LogEvent Synced = new(1002, "sync.applied");
    public static readonly LogEvent SyncFailed = new(1003, "sync.failed", "error");
    public static readonly LogEvent Resuming = new(1004, "apply.resuming", "warn");
    public static readonly LogEvent Healing = new(1005, "drift.healing", "warn");
    public static readonly LogEvent DriftCheckFailed = new(1006, "drift.check-failed", "error");
    public static readonly LogEvent PollFailed = new(1007, "poll.failed", "error");
    public static readonly LogEvent PinReleased = new(1008, "rollback.pin-released");
    public static readonly LogEvent ImagePull = new(1009, "image.pull");
    public static readonly LogEvent ImageBuild = new(1010, "image.build");
    public static readonly LogEvent StateUnreadable = new(1011, "state.unreadable", "warn");
    public static readonly LogEvent DriftFound = new(1012, "drift.found", "warn");
    public static readonly LogEvent ImagePullFailed = new(1013, "image.pull-failed", "warn");
    public static readonly LogEvent AppUnloadable = new(1014, "app.unloadable", "error");
    public static readonly LogEvent AppStartFailed = new(1015, "app.start-failed", "error");
    public static readonly LogEvent TreesPruned = new(1016, "trees.pruned");
}

/// <summary>
/// Structured reconciler log lines: <c>LEVEL [ID NAME] app=APP message</c> after the daemon's timestamp.
/// Messages never carry secret values: plans and steps only ever name secrets and show digests.
/// </summary>
internal sealed class ReconcilerLog(Action<string> write)
{
    public void Write(LogEvent e, string? app, string message) =>
        write($"{e.Level.ToUpperInvariant(),-5} [{e.Id} {e.Name}]{(app is null ? "" : " app=" + app)} {message}");

    public AppLog For(string app) => new(this, app);
}

/// <summary>The log of one application.</summary>
internal sealed class AppLog(ReconcilerLog log, string app)
{
    public void Write(LogEvent e, string message) => log.Write(e, app, message);
}
