using System.Globalization;
using System.Text.Json.Serialization;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>One Job run for <c>gitops get jobs</c>: kubectl's columns and the status behind them.</summary>
internal sealed record JobView(string App, string Name, string? CronJob, string Status, string Completions, int Active, int Succeeded, int Failed,
    DateTimeOffset Created, DateTimeOffset? StartTime, DateTimeOffset? FinishedTime, string? Reason, string? Message, bool PodsRemoved);

/// <summary>One CronJob for <c>gitops get cronjobs</c>.</summary>
internal sealed record CronJobView(string App, string Name, string Schedule, string? TimeZone, bool Suspend, int Active, IReadOnlyList<string> ActiveJobs,
    DateTimeOffset? LastScheduleTime, DateTimeOffset? LastSuccessfulTime, DateTimeOffset Created, string? Message);

/// <summary>One DaemonSet for <c>gitops get daemonsets</c> (one node: one pod desired).</summary>
internal sealed record DaemonSetView(string App, string Name, int Desired, int Current, int Ready, int UpToDate, int Available,
    IReadOnlyDictionary<string, string> NodeSelector, DateTimeOffset? Created);

/// <summary>The rows behind <c>gitops get jobs|cronjobs|daemonsets</c>, from the applied revision, the job status and the engine.</summary>
internal static class WorkloadViews
{
    public static IEnumerable<JobView> Jobs(string app, DesiredApp? applied, JobStore store)
    {
        foreach (var run in store.Jobs.OrderBy(j => j.Name, StringComparer.Ordinal))
        {
            var spec = applied?.Service(run.Service)?.Spec;
            yield return new JobView(app, run.Name, spec?.Cron is not null || run.ScheduledTime is not null ? run.Service : null, run.Phase.ToString(),
                Completions(spec?.Job, run), run.Active, run.Succeeded, run.Failed, run.Created, run.StartTime, run.FinishedTime, run.Reason, run.Message, run.PodsRemoved);
        }
    }

    /// <summary>kubectl's COMPLETIONS: succeeded/completions, or succeeded/1 (of parallelism) for a work queue.</summary>
    public static string Completions(JobSpec? spec, JobRecord run)
    {
        var succeeded = run.Succeeded.ToString(CultureInfo.InvariantCulture);
        if (spec?.Completions is { } c) return $"{succeeded}/{c.ToString(CultureInfo.InvariantCulture)}";
        if (spec is null) return succeeded;
        return spec.Parallelism > 1 ? $"{succeeded}/1 of {spec.Parallelism.ToString(CultureInfo.InvariantCulture)}" : $"{succeeded}/1";
    }

    public static IEnumerable<CronJobView> CronJobs(string app, DesiredApp? applied, JobStore store)
    {
        if (applied is null) yield break;
        foreach (var svc in applied.Services.Where(s => s.Spec.Cron is not null).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var cron = svc.Spec.Cron!;
            var status = store.Cron(svc.Name);
            var active = store.JobsOf(svc.Name).Where(j => !j.Finished).Select(j => j.Name).ToList();
            yield return new CronJobView(app, svc.Name, cron.Schedule, cron.TimeZone, cron.Suspend, active.Count, active,
                status?.LastScheduleTime, status?.LastSuccessfulTime, status?.Created ?? DateTimeOffset.UtcNow, status?.Message);
        }
    }

    public static IEnumerable<DaemonSetView> DaemonSets(string app, DesiredApp? applied, ActualApp actual)
    {
        if (applied is null) yield break;
        foreach (var svc in applied.Services.Where(s => s.Spec.Kind == WorkloadKind.DaemonSet).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var pods = actual.Containers.Where(c => c.Service == svc.Name && c.Part is null).ToList();
            var ready = pods.Where(c => c.Running && c.Health is null or "healthy").ToList();
            var available = ready.Count(c => DateTimeOffset.UtcNow - c.Created >= svc.Update.MinReady);
            // Kubernetes' nodeSelector is its own placement field; a stack's node.labels constraints read the same way.
            var selector = new SortedDictionary<string, string>(svc.Spec.Placement.NodeSelector.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
            foreach (var constraint in svc.Spec.Placement.Constraints)
                if (constraint.StartsWith("node.labels.", StringComparison.Ordinal) && constraint.IndexOf("==", StringComparison.Ordinal) is var eq and > 0)
                    selector[constraint["node.labels.".Length..eq]] = constraint[(eq + 2)..];
            yield return new DaemonSetView(app, svc.Name, svc.Replicas, pods.Count, ready.Count, pods.Count(c => c.Hash == svc.Hash), available, selector,
                pods.Count == 0 ? null : pods.Min(c => c.Created));
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<JobView>))]
[JsonSerializable(typeof(List<CronJobView>))]
[JsonSerializable(typeof(List<DaemonSetView>))]
internal sealed partial class WorkloadJson : JsonSerializerContext;
