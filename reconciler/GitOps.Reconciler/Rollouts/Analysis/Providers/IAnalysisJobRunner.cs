using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// Runs a job metric's pod to completion on the engine (Kubernetes Job semantics: a failed pod is retried up to the
/// backoff limit). Jobs are named by the caller, deterministically, so a restarted daemon finds the job a persisted
/// measurement started instead of starting it twice; <see cref="StartAsync"/> leaves an existing job alone.
/// </summary>
internal interface IAnalysisJobRunner
{
    Task StartAsync(AnalysisJob job, CancellationToken cancellationToken);

    Task<AnalysisJobStatus> GetStatusAsync(string app, string name, CancellationToken cancellationToken);

    Task StopAsync(string app, string name, CancellationToken cancellationToken);
}

internal sealed record AnalysisJob(string App, string Service, string Name, JobMetric Spec);

/// <summary>Where a job is: not known, running, or finished with the last pod's exit code.</summary>
internal sealed record AnalysisJobStatus(AnalysisJobState State, int? ExitCode = null, string? Message = null);

internal enum AnalysisJobState
{
    NotFound,
    Running,
    Succeeded,
    Failed,
}
