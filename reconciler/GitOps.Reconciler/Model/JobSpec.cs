namespace GitOps.Reconciler.Model;

/// <summary>
/// How a run-to-completion workload (a Kubernetes Job, or a CronJob's job template) runs its pods, with the API's
/// defaults applied: without completions and parallelism both are 1; with only parallelism, completions stays
/// null (a work queue: done once any pod succeeded and all have ended); backoffLimit 6. The pod's restart policy
/// (Never or OnFailure) is the template's.
/// </summary>
internal sealed record JobSpec(
    int? Completions,
    int Parallelism,
    int BackoffLimit,
    TimeSpan? ActiveDeadline,
    TimeSpan? TtlAfterFinished,
    CompletionMode CompletionMode,
    bool Suspend)
{
    public const int DefaultBackoffLimit = 6;

    public static readonly JobSpec Default = new(1, 1, DefaultBackoffLimit, null, null, CompletionMode.NonIndexed, false);
}
