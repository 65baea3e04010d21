using System.Text.Json.Serialization;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>Where a Job run stands, as Kubernetes' Job conditions say it (Running is "no condition yet").</summary>
internal enum JobPhase
{
    Running,
    Suspended,
    Complete,
    Failed,
}

/// <summary>How often one pod of a restartPolicy: OnFailure Job has failed and been restarted in place.</summary>
internal sealed record PodRestarts(int Count, DateTimeOffset LastFailure);

/// <summary>
/// One Job run: what Kubernetes keeps in a Job's status, persisted with the application so that a finished run is
/// remembered across polls, heals and daemon restarts (a completed Job is never run again for the same spec), and
/// so that counts survive pods removed by ttlSecondsAfterFinished or by hand. <see cref="Hash"/> names the run:
/// the pod template (with the digests of what it reads) plus completions and completion mode. A changed hash in
/// Git means a new run replaces this one.
/// </summary>
internal sealed record JobRecord
{
    /// <summary>The Job's name: the Job's own, or CRONJOB-MINUTES for a CronJob's Job (model names: NAME.NAMESPACE outside the default namespace).</summary>
    public required string Name { get; init; }
    /// <summary>The model service that declares it: the Job, or the CronJob that created it.</summary>
    public required string Service { get; init; }
    public required string Hash { get; init; }
    public string Revision { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    /// <summary>For a CronJob's Job: the scheduled time it was created for.</summary>
    public DateTimeOffset? ScheduledTime { get; init; }
    /// <summary>When the run (last) started; null while suspended, reset on resume as Kubernetes resets it.</summary>
    public DateTimeOffset? StartTime { get; init; }
    /// <summary>When the run completed or failed.</summary>
    public DateTimeOffset? FinishedTime { get; init; }
    public JobPhase Phase { get; init; }
    /// <summary>Kubernetes' condition reason: BackoffLimitExceeded, DeadlineExceeded.</summary>
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public int Active { get; init; }
    public int Succeeded { get; init; }
    public int Failed { get; init; }
    /// <summary>The next pod number: pods are NAME-1, NAME-2, … in creation order, never reused within a run.</summary>
    public int NextOrdinal { get; init; } = 1;
    /// <summary>Pods whose final outcome is already counted in <see cref="Succeeded"/> or <see cref="Failed"/>.</summary>
    public IReadOnlyList<string> Counted { get; init; } = [];
    /// <summary>Indexed Jobs: the indexes that have a successful pod.</summary>
    public IReadOnlyList<int> CompletedIndexes { get; init; } = [];
    /// <summary>restartPolicy: OnFailure: failures of each pod so far (the pod restarts in place).</summary>
    public IReadOnlyDictionary<string, PodRestarts> Restarts { get; init; } = new Dictionary<string, PodRestarts>();
    /// <summary>Failures since the last success: the back-off before the next pod (10 s, 20 s, 40 s … capped at 6 min).</summary>
    public int FailuresSinceSuccess { get; init; }
    public DateTimeOffset? LastFailure { get; init; }
    /// <summary>ttlSecondsAfterFinished has passed and the run's pods are gone; the record stays so the Job is not run again.</summary>
    public bool PodsRemoved { get; init; }

    [JsonIgnore]
    public bool Finished => Phase is JobPhase.Complete or JobPhase.Failed;
}

/// <summary>A CronJob's own status: when it was first applied, and its last scheduled and last successful times.</summary>
internal sealed record CronRecord
{
    public required string Service { get; init; }
    /// <summary>When the CronJob was first applied: no run is due for a time before it (Kubernetes' creationTimestamp).</summary>
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset? LastScheduleTime { get; init; }
    public DateTimeOffset? LastSuccessfulTime { get; init; }
    /// <summary>Why the last due run did not start (Forbid with a run active, a missed starting deadline), if it did not.</summary>
    public string? Message { get; init; }
}

/// <summary>Everything the job controller keeps for one application (<c>jobs.json</c> in its state directory).</summary>
internal sealed record JobStoreDocument(IReadOnlyList<JobRecord> Jobs, IReadOnlyList<CronRecord> CronJobs);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobStoreDocument))]
internal sealed partial class JobJson : JsonSerializerContext;
