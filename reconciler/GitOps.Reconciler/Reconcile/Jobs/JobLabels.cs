namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>
/// The labels Kubernetes puts on a Job's pods, put on its containers here too: users select them as they do in a
/// cluster (<c>gitops ps --filter label=job-name=pi</c>), and the job controller finds a run's pods by them.
/// </summary>
internal static class JobLabels
{
    public const string JobName = "batch.kubernetes.io/job-name";
    /// <summary>The legacy spelling, still set by Kubernetes and used by many scripts.</summary>
    public const string LegacyJobName = "job-name";
    public const string CompletionIndex = "batch.kubernetes.io/job-completion-index";
    /// <summary>On a CronJob's Jobs' pods: the CronJob (not a Kubernetes label; Kubernetes uses owner references).</summary>
    public const string CronJob = "gitops.cronjob";
    /// <summary>The variable an Indexed Job's containers read their index from.</summary>
    public const string CompletionIndexEnv = "JOB_COMPLETION_INDEX";
}
