using GitOps.Reconciler.Rollouts.Analysis.Providers;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// Advances an AnalysisRun by one reconcile, as Argo's analysis controller does: resolve the arguments (secrets
/// masked), take the measurements that are due — concurrently, each through its provider — record them, assess the
/// metrics and the run, and say when to come back. Everything it returns is a new immutable run; the caller persists
/// it, so a daemon killed between two reconciles resumes from the last persisted run (an unfinished job measurement is
/// resumed, not restarted). Time comes only from the injected clock.
/// </summary>
internal sealed class AnalysisRunner
{
    /// <summary>The stand-in Argo uses for secrets while checking a run's arguments without reading them.</summary>
    private const string SecretPlaceholder = "temp-for-secret";
    private const string Mask = "*****";

    private readonly Dictionary<MetricProviderKind, IMetricProvider> _providers;
    private readonly IAnalysisSecrets _secrets;
    private readonly TimeProvider _clock;

    public AnalysisRunner(IEnumerable<IMetricProvider> providers, IAnalysisSecrets secrets, TimeProvider clock)
    {
        _providers = providers.ToDictionary(p => p.Kind);
        _secrets = secrets;
        _clock = clock;
    }

    public async Task<AnalysisTick> ReconcileAsync(AnalysisRun run, ResolvedAnalysis analysis, AnalysisTarget target, CancellationToken cancellationToken)
    {
        var events = new List<RolloutEvent>();
        if (run.Phase.Completed()) return new AnalysisTick(run, null, events);
        var now = _clock.GetUtcNow();

        var errors = new List<string>();
        var checkArgs = run.Args.ToDictionary(a => a.Name, a => a.IsSecret ? SecretPlaceholder : a.Value ?? "", StringComparer.Ordinal);
        var metrics = Resolve(analysis.Metrics, checkArgs, errors);
        if (errors.Count > 0) return Fail(run, errors[0], now, events);

        var tasks = AnalysisEngine.DueTasks(run, metrics, now);
        if (tasks.Count > 0)
        {
            var (args, secretValues, secretError) = await ReadArgs(run, target, cancellationToken).ConfigureAwait(false);
            if (secretError is not null) return Fail(run, "Unable to resolve metric arguments: " + secretError, now, events);
            var terminating = AnalysisEngine.IsTerminating(run);
            var sources = analysis.Metrics.GroupBy(m => m.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var measured = await Task.WhenAll(tasks.Select(t => Measure(run, t, sources[t.Metric.Name], args, target, terminating, cancellationToken))).ConfigureAwait(false);
            var finished = _clock.GetUtcNow();
            foreach (var (task, measurement) in tasks.Zip(measured))
                run = AnalysisEngine.Record(run, task.Metric, MaskSecrets(measurement, secretValues), task.Incomplete is not null, analysis.DryRun.Contains(task.Metric.Name), finished);
            now = finished;
        }
        run = AnalysisEngine.Assess(run, metrics, analysis.DryRun, now, events);
        return new AnalysisTick(run, AnalysisEngine.NextTime(run, metrics, now), events);
    }

    /// <summary>Resolves every metric with the given arguments, as Argo does before measuring (errors worded as Argo's).</summary>
    public static List<ResolvedMetric> Resolve(IReadOnlyList<AnalysisMetric> metrics, IReadOnlyDictionary<string, string> args, List<string> errors)
    {
        var resolved = new List<ResolvedMetric>();
        for (var i = 0; i < metrics.Count; i++)
        {
            var metricErrors = new List<string>();
            var m = MetricResolver.Resolve(metrics[i], args, metricErrors);
            if (m is not null) { resolved.Add(m); continue; }
            var first = metricErrors[0];
            errors.Add(first.StartsWith("failed to resolve", StringComparison.Ordinal)
                ? "Unable to resolve metric arguments: " + first
                : $"Analysis spec invalid: metrics[{i}]: {first}");
        }
        return resolved;
    }

    /// <summary>
    /// Takes one measurement. The task's metric was checked with placeholder secrets; the measurement needs the real
    /// values, so its source is resolved again with them.
    /// </summary>
    private async Task<Measurement> Measure(AnalysisRun run, AnalysisEngine.MetricTask task, AnalysisMetric source, Dictionary<string, string> args,
        AnalysisTarget target, bool terminating, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var metric = MetricResolver.Resolve(source, args, []) ?? task.Metric;
        if (!_providers.TryGetValue(metric.Provider.Kind, out var provider))
            return (task.Incomplete ?? new Measurement { StartedAt = now }) with { Phase = AnalysisPhase.Error, FinishedAt = now, Message = $"no {metric.Provider.Kind} metric provider is available on this node" };
        var context = new MeasurementContext(target, run, AnalysisEngine.Taken(run.Result(metric.Name)), _clock);
        try
        {
            if (task.Incomplete is null) return await provider.RunAsync(context, metric, cancellationToken).ConfigureAwait(false);
            if (!terminating) return await provider.ResumeAsync(context, metric, task.Incomplete, cancellationToken).ConfigureAwait(false);
            var stopped = await provider.TerminateAsync(context, metric, task.Incomplete, cancellationToken).ConfigureAwait(false);
            return stopped.Phase is AnalysisPhase.Successful or AnalysisPhase.Inconclusive ? stopped with { Message = "Metric Terminated" } : stopped;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A provider bug must not stop the rollout's bookkeeping: it is an errored measurement like any other.
            return (task.Incomplete ?? new Measurement { StartedAt = now }) with { Phase = AnalysisPhase.Error, FinishedAt = _clock.GetUtcNow(), Message = e.Message };
        }
    }

    private async Task<(Dictionary<string, string> Args, List<string> Secrets, string? Error)> ReadArgs(AnalysisRun run, AnalysisTarget target, CancellationToken cancellationToken)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var secrets = new List<string>();
        foreach (var a in run.Args)
        {
            if (!a.IsSecret) { args[a.Name] = a.Value ?? ""; continue; }
            string? value;
            try { value = await _secrets.GetAsync(target.App, a.SecretName!, a.SecretKey!, cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return (args, secrets, $"secret '{a.SecretName}' could not be read: {e.Message}");
            }
            if (value is null) return (args, secrets, $"key '{a.SecretKey}' does not exist in secret '{a.SecretName}'");
            args[a.Name] = value;
            if (value.Length > 0) secrets.Add(value);
        }
        return (args, secrets, null);
    }

    private static Measurement MaskSecrets(Measurement m, List<string> secrets)
    {
        if (secrets.Count == 0) return m;
        string? Masked(string? text) => text is null ? null : secrets.Aggregate(text, (t, s) => t.Replace(s, Mask, StringComparison.Ordinal));
        return m with { Message = Masked(m.Message), Value = Masked(m.Value) };
    }

    private static AnalysisTick Fail(AnalysisRun run, string message, DateTimeOffset now, List<RolloutEvent> events)
    {
        events.Add(new RolloutEvent("AnalysisRunError", "Analysis Completed. Result: Error: " + message, Warning: true));
        return new AnalysisTick(run with { Phase = AnalysisPhase.Error, Message = message, StartedAt = run.StartedAt ?? now, CompletedAt = now }, null, events);
    }
}
