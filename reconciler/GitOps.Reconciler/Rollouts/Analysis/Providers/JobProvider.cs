using System.Globalization;
using System.Text;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// Argo Rollouts' <c>job</c> provider: the measurement starts a job and stays Running (polled every
/// <see cref="PollInterval"/>) until the job ends: success passes, failure (the backoff limit spent) fails, a job that
/// outlives <c>activeDeadlineSeconds</c> is stopped and fails. Terminating the run stops the job.
/// </summary>
internal sealed class JobProvider(IAnalysisJobRunner runner) : IMetricProvider
{
    public const string JobNameKey = "job-name";
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public MetricProviderKind Kind => MetricProviderKind.Job;

    public async Task<Measurement> RunAsync(MeasurementContext context, ResolvedMetric metric, CancellationToken cancellationToken)
    {
        var started = context.Now;
        var name = JobName(context.Run.Name, metric.Name, context.MeasurementIndex);
        try
        {
            await runner.StartAsync(new AnalysisJob(context.Target.App, context.Target.Service, name, metric.Provider.Job!), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Measurements.Error(started, context.Now, $"job {name} could not start: {e.Message}");
        }
        return new Measurement
        {
            Phase = AnalysisPhase.Running,
            StartedAt = started,
            ResumeAt = started + PollInterval,
            Metadata = new Dictionary<string, string> { [JobNameKey] = name },
        };
    }

    public async Task<Measurement> ResumeAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken)
    {
        var now = context.Now;
        if (measurement.Metadata?.GetValueOrDefault(JobNameKey) is not { } name) return Measurements.Error(measurement.StartedAt, now, "job name not recorded in the measurement");
        AnalysisJobStatus status;
        try { status = await runner.GetStatusAsync(context.Target.App, name, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return measurement with { Phase = AnalysisPhase.Error, FinishedAt = now, Message = $"job {name}: {e.Message}", ResumeAt = null };
        }
        switch (status.State)
        {
            case AnalysisJobState.Succeeded:
                return measurement with { Phase = AnalysisPhase.Successful, FinishedAt = now, ResumeAt = null, Value = Exit(status), Message = status.Message };
            case AnalysisJobState.Failed:
                return measurement with
                {
                    Phase = AnalysisPhase.Failed, FinishedAt = now, ResumeAt = null, Value = Exit(status),
                    Message = $"job {name} failed" + (status.ExitCode is { } c ? $" (exit code {c.ToString(CultureInfo.InvariantCulture)})" : "") + (status.Message is { Length: > 0 } m ? ": " + m : ""),
                };
            case AnalysisJobState.NotFound:
                return measurement with { Phase = AnalysisPhase.Error, FinishedAt = now, ResumeAt = null, Message = $"job {name} not found" };
        }
        if (metric.Provider.Job!.ActiveDeadline is { } deadline && now - measurement.StartedAt > deadline)
        {
            await Stop(context, name, cancellationToken).ConfigureAwait(false);
            return measurement with { Phase = AnalysisPhase.Failed, FinishedAt = now, ResumeAt = null, Message = $"job {name} was active longer than its deadline ({deadline.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s)" };
        }
        return measurement with { ResumeAt = now + PollInterval };
    }

    public async Task<Measurement> TerminateAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken)
    {
        if (measurement.Metadata?.GetValueOrDefault(JobNameKey) is { } name) await Stop(context, name, cancellationToken).ConfigureAwait(false);
        return measurement with { Phase = AnalysisPhase.Successful, FinishedAt = context.Now, ResumeAt = null, Message = "Metric Terminated" };
    }

    private async Task Stop(MeasurementContext context, string name, CancellationToken cancellationToken)
    {
        try { await runner.StopAsync(context.Target.App, name, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The job may already be gone; the measurement's outcome does not depend on it.
        }
    }

    private static string? Exit(AnalysisJobStatus s) => s.ExitCode?.ToString(CultureInfo.InvariantCulture);

    /// <summary>"{run}.{metric}.{n}" as Argo names analysis jobs, reduced to DNS-label characters and 63 characters.</summary>
    public static string JobName(string run, string metric, int index)
    {
        var sb = new StringBuilder();
        foreach (var c in $"{run}.{metric}.{index.ToString(CultureInfo.InvariantCulture)}".ToLowerInvariant())
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-');
        var name = sb.ToString();
        if (name.Length <= 63) return name;
        // Keep the distinguishing tail (metric and index) and a hash of the whole, as names must stay unique.
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        return (name[..(63 - 9 - 20)] + "-" + hash + name[^20..]).Trim('-', '.');
    }
}
