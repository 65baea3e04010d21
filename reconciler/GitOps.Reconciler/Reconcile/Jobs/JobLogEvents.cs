namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>Log lines of the job controller (IDs 1100-1199), with stable IDs like <see cref="LogEvents"/>.</summary>
internal static class JobLogEvents
{
    public static readonly LogEvent Started = new(1101, "job.started");
    public static readonly LogEvent PodCreated = new(1102, "job.pod-created");
    public static readonly LogEvent PodFailed = new(1103, "job.pod-failed", "warn");
    public static readonly LogEvent Completed = new(1104, "job.completed");
    public static readonly LogEvent Failed = new(1105, "job.failed", "error");
    public static readonly LogEvent Suspended = new(1106, "job.suspended");
    public static readonly LogEvent Removed = new(1107, "job.removed");
    public static readonly LogEvent Scheduled = new(1108, "cronjob.scheduled");
    public static readonly LogEvent Skipped = new(1109, "cronjob.skipped", "warn");
    public static readonly LogEvent PodError = new(1110, "job.pod-error", "error");
}
