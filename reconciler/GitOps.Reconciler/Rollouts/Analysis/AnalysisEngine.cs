using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// The bookkeeping of an AnalysisRun, without any I/O (Argo Rollouts' analysis/analysis.go): which measurements are
/// due, how a finished measurement changes the counters, how metrics and the run are assessed against their limits,
/// and when the run next needs attention. <see cref="AnalysisRunner"/> does the measuring around it.
/// </summary>
internal static class AnalysisEngine
{
    public readonly record struct MetricTask(ResolvedMetric Metric, Measurement? Incomplete);

    /// <summary>Argo's IsTerminating: asked to stop, or a metric that counts has already failed, errored or been inconclusive.</summary>
    public static bool IsTerminating(AnalysisRun run) =>
        run.Terminate || run.MetricResults.Any(r => !r.DryRun && r.Phase is AnalysisPhase.Failed or AnalysisPhase.Error or AnalysisPhase.Inconclusive);

    /// <summary>Argo's generateMetricTasks: unfinished measurements whose time has come, and new measurements that are due.</summary>
    public static List<MetricTask> DueTasks(AnalysisRun run, IReadOnlyList<ResolvedMetric> metrics, DateTimeOffset now)
    {
        var tasks = new List<MetricTask>();
        var terminating = IsTerminating(run);
        foreach (var metric in metrics)
        {
            var result = run.Result(metric.Name);
            if (result is not null && result.Phase.Completed()) continue;
            var last = result?.Last;
            if (last is { FinishedAt: null })
            {
                if (!terminating && last.ResumeAt is { } resume && resume > now) continue;
                tasks.Add(new MetricTask(metric, last));
                continue;
            }
            if (terminating) continue;
            if (last is null)
            {
                if (metric.InitialDelay is { } delay && (run.StartedAt is null || run.StartedAt.Value + delay > now)) continue;
                tasks.Add(new MetricTask(metric, null));
                continue;
            }
            if (metric.EffectiveCount is { } count && result!.Count >= count) continue;
            var interval = last.Phase == AnalysisPhase.Error ? RolloutDefaults.ErrorRetryInterval : metric.Interval ?? RolloutDefaults.ErrorRetryInterval;
            if (now >= last.FinishedAt!.Value + interval) tasks.Add(new MetricTask(metric, null));
        }
        return tasks;
    }

    /// <summary>Records a measurement (new, or the update of an unfinished one) and moves the metric's counters as Argo does.</summary>
    public static AnalysisRun Record(AnalysisRun run, ResolvedMetric metric, Measurement measurement, bool replacesLast, bool dryRun, DateTimeOffset now)
    {
        var result = run.Result(metric.Name) ?? new MetricResult { Name = metric.Name, Phase = AnalysisPhase.Running, DryRun = dryRun };
        if (measurement.Phase.Completed())
        {
            if (measurement.FinishedAt is null) measurement = measurement with { FinishedAt = now };
            measurement = measurement with { ResumeAt = null };
            result = measurement.Phase switch
            {
                AnalysisPhase.Successful => result with { Successful = result.Successful + 1, Count = result.Count + 1, ConsecutiveError = 0, ConsecutiveSuccess = result.ConsecutiveSuccess + 1 },
                AnalysisPhase.Failed => result with { Failed = result.Failed + 1, Count = result.Count + 1, ConsecutiveError = 0, ConsecutiveSuccess = 0 },
                AnalysisPhase.Inconclusive => result with { Inconclusive = result.Inconclusive + 1, Count = result.Count + 1, ConsecutiveError = 0, ConsecutiveSuccess = 0 },
                _ => result with { Error = result.Error + 1, ConsecutiveError = result.ConsecutiveError + 1, ConsecutiveSuccess = 0 },
            };
        }
        var measurements = result.Measurements.ToList();
        if (replacesLast && measurements.Count > 0) measurements[^1] = measurement;
        else measurements.Add(measurement);
        // Argo keeps the last 10 measurements of each metric; the counters keep the totals.
        if (measurements.Count > RolloutDefaults.MeasurementHistoryLimit) measurements.RemoveRange(0, measurements.Count - RolloutDefaults.MeasurementHistoryLimit);
        return run.WithResult(result with { Measurements = measurements });
    }

    /// <summary>How many measurements a metric has taken in all (the trimmed history does not tell).</summary>
    public static int Taken(MetricResult? r) => r is null ? 0 : r.Successful + r.Failed + r.Inconclusive + r.Error;

    /// <summary>Argo's assessRunStatus: each metric's phase, then the run's (the worst metric that counts), with its message.</summary>
    public static AnalysisRun Assess(AnalysisRun run, IReadOnlyList<ResolvedMetric> metrics, IReadOnlySet<string> dryRun, DateTimeOffset now, List<RolloutEvent> events)
    {
        var terminating = IsTerminating(run);
        if (run.StartedAt is null) run = run with { StartedAt = now };
        AnalysisPhase? worst = null;
        var worstMessage = run.Terminate ? "Run Terminated" : "";
        var everythingCompleted = true;
        foreach (var metric in metrics)
        {
            var result = run.Result(metric.Name);
            if (result is null) { everythingCompleted = false; continue; }
            var status = AssessMetric(metric, result, terminating);
            if (result.Phase != status)
            {
                if (status.Completed())
                    events.Add(new RolloutEvent("Metric" + status, $"Metric '{metric.Name}' Completed. Result: {status}", status is AnalysisPhase.Failed or AnalysisPhase.Error));
                result = result with { Phase = status, Message = result.Last?.Message };
                run = run.WithResult(result);
            }
            if (!status.Completed()) { everythingCompleted = false; continue; }
            var (_, message) = LimitBreach(metric, result);
            if (!dryRun.Contains(metric.Name))
            {
                if (worst is null || AnalysisPhases.IsWorse(worst.Value, status))
                {
                    worst = status;
                    if (message is not null)
                    {
                        worstMessage = $"Metric \"{metric.Name}\" assessed {status} due to {message}";
                        if (status is AnalysisPhase.Failed or AnalysisPhase.Inconclusive && result.Last?.Value is { } value) worstMessage += $" (last value: {value})";
                        if (result.Message is { Length: > 0 } m) worstMessage += $": \"Error Message: {m}\"";
                    }
                }
            }
            else
            {
                worst ??= AnalysisPhase.Successful;
                if (message is not null) run = run.WithResult(result with { Message = $"Metric assessed {status} due to {message}" });
            }
        }
        worstMessage = worstMessage.Trim();
        AnalysisPhase phase;
        string? runMessage;
        if (terminating) (phase, runMessage) = (worst ?? AnalysisPhase.Successful, worstMessage);
        else if (!everythingCompleted || worst is null) (phase, runMessage) = (AnalysisPhase.Running, "");
        else (phase, runMessage) = (worst.Value, worstMessage);
        if (phase == run.Phase) return run;
        run = run with { Phase = phase, Message = string.IsNullOrEmpty(runMessage) ? null : runMessage };
        if (phase.Completed())
        {
            run = run with { CompletedAt = run.CompletedAt ?? now };
            events.Add(new RolloutEvent("AnalysisRun" + phase, $"Analysis Completed. Result: {phase}", phase is AnalysisPhase.Failed or AnalysisPhase.Error));
        }
        return run;
    }

    /// <summary>Argo's assessMetricStatus.</summary>
    public static AnalysisPhase AssessMetric(ResolvedMetric metric, MetricResult result, bool terminating)
    {
        if (result.Phase.Completed()) return result.Phase;
        if (result.Measurements.Count == 0) return terminating ? AnalysisPhase.Successful : AnalysisPhase.Pending;
        if (!result.Last!.Phase.Completed()) return AnalysisPhase.Running;
        var (breach, _) = LimitBreach(metric, result);
        if (breach is { } b) return b;
        if (metric.ConsecutiveSuccessLimit > 0 && result.ConsecutiveSuccess >= metric.ConsecutiveSuccessLimit) return AnalysisPhase.Successful;
        if (metric.EffectiveCount is { } count && result.Count >= count)
        {
            var failureApplicable = metric.FailureLimit >= 0;
            var successApplicable = metric.ConsecutiveSuccessLimit > 0;
            if (failureApplicable && successApplicable) return AnalysisPhase.Inconclusive;
            if (successApplicable) return AnalysisPhase.Failed;
            return AnalysisPhase.Successful;
        }
        return terminating ? AnalysisPhase.Successful : AnalysisPhase.Running;
    }

    /// <summary>Argo's assessMetricFailureInconclusiveOrError: the limit a metric broke, the last check winning.</summary>
    public static (AnalysisPhase? Phase, string? Message) LimitBreach(ResolvedMetric metric, MetricResult result)
    {
        (AnalysisPhase? Phase, string? Message) breach = (null, null);
        if (metric.FailureLimit >= 0 && result.Failed > metric.FailureLimit)
            breach = (AnalysisPhase.Failed, $"failed ({result.Failed}) > failureLimit ({metric.FailureLimit})");
        if (result.Inconclusive > metric.InconclusiveLimit)
            breach = (AnalysisPhase.Inconclusive, $"inconclusive ({result.Inconclusive}) > inconclusiveLimit ({metric.InconclusiveLimit})");
        if (result.ConsecutiveError > metric.ConsecutiveErrorLimit)
            breach = (AnalysisPhase.Error, $"consecutiveErrors ({result.ConsecutiveError}) > consecutiveErrorLimit ({metric.ConsecutiveErrorLimit})");
        return breach;
    }

    /// <summary>Argo's calculateNextReconcileTime: the earliest moment a metric needs a measurement or a resume.</summary>
    public static DateTimeOffset? NextTime(AnalysisRun run, IReadOnlyList<ResolvedMetric> metrics, DateTimeOffset now)
    {
        if (run.Phase.Completed()) return null;
        DateTimeOffset? next = null;
        void Consider(DateTimeOffset t) { if (next is null || t < next) next = t; }
        foreach (var metric in metrics)
        {
            var result = run.Result(metric.Name);
            if (result is not null && result.Phase.Completed()) continue;
            var last = result?.Last;
            if (last is null)
            {
                if (metric.InitialDelay is { } delay) Consider((run.StartedAt ?? now) + delay);
                else Consider(now);
                continue;
            }
            if (last.FinishedAt is null)
            {
                Consider(last.ResumeAt ?? now);
                continue;
            }
            if (metric.EffectiveCount is { } count && result!.Count >= count) continue;
            if (last.Phase == AnalysisPhase.Error) Consider(last.FinishedAt.Value + RolloutDefaults.ErrorRetryInterval);
            else if (metric.Interval is { } interval) Consider(last.FinishedAt.Value + interval);
        }
        return next;
    }
}
