namespace GitOps.Reconciler.Model;

/// <summary>
/// When a CronJob creates Jobs: a Kubernetes cron schedule (five fields or a macro such as <c>@daily</c>) read in
/// <see cref="TimeZone"/> (null: the daemon's local zone, as kube-controller-manager's), what to do with a run due
/// while another is active, and how many finished Jobs to keep. The Jobs themselves follow the service's
/// <see cref="Service.Job"/> and template; <see cref="JobLabels"/> and <see cref="JobAnnotations"/> are the job
/// template's metadata.
/// </summary>
internal sealed record CronJobSpec(
    string Schedule,
    string? TimeZone,
    ConcurrencyPolicy Concurrency,
    bool Suspend,
    TimeSpan? StartingDeadline,
    int SuccessfulJobsHistoryLimit,
    int FailedJobsHistoryLimit,
    ValueMap<string> JobLabels,
    ValueMap<string> JobAnnotations)
{
    public const int DefaultSuccessfulJobsHistoryLimit = 3;
    public const int DefaultFailedJobsHistoryLimit = 1;
}
