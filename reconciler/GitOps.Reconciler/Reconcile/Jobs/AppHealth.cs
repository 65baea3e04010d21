using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>
/// An application's health as Argo CD users read it: Degraded when something is missing or stopped, a one-off
/// container failed, a Job failed or a CronJob's latest run failed (with the reason); Progressing while a Job runs
/// or is about to start; Healthy otherwise. A completed Job, a finished one-off and a CronJob between runs are healthy.
/// </summary>
internal static class AppHealth
{
    public const Outcomes.HealthState Healthy = Outcomes.HealthState.Healthy, Progressing = Outcomes.HealthState.Progressing, Degraded = Outcomes.HealthState.Degraded;

    public static (Outcomes.HealthState Health, string? Reason) Of(DesiredApp desired, ActualApp actual, IReadOnlyList<DriftItem> drift, JobStore jobs)
    {
        var degraded = new List<string>();
        var progressing = false;
        foreach (var i in drift.Where(i => i.Kind is "missing" or "stopped").Take(3)) degraded.Add($"{i.Resource}: {i.Found}");
        if (degraded.Count == 0 && drift.Any(i => i.Kind is "missing" or "stopped")) degraded.Add("resources missing or stopped");
        var byName = actual.Containers.Where(c => c.Part is null).GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var svc in desired.Services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            switch (svc.Spec.Kind)
            {
                case WorkloadKind.Job:
                    var run = jobs.Job(svc.Name);
                    if (run is null || run.Hash != JobIdentity.RunHash(svc) || run.Phase == JobPhase.Running) progressing = true;
                    else if (run.Phase == JobPhase.Failed) degraded.Add($"job {svc.Name} failed: {run.Reason}: {run.Message}");
                    break;
                case WorkloadKind.CronJob:
                    var last = jobs.JobsOf(svc.Name).LastOrDefault(j => j.Finished);
                    if (last is { Phase: JobPhase.Failed }) degraded.Add($"cronjob {svc.Name}: its last job {last.Name} failed: {last.Reason}: {last.Message}");
                    break;
                default:
                    for (var o = svc.FirstOrdinal; o < svc.FirstOrdinal + svc.Replicas; o++)
                        if (byName.GetValueOrDefault(svc.ReplicaName(desired.Project, o)) is { } c && c.Hash == svc.Hash && Planner.FailedOneOff(svc, c))
                            degraded.Add($"service {svc.Name}: {c.Name} exited ({c.ExitCode})");
                    break;
            }
        }
        if (degraded.Count > 0) return (Degraded, string.Join("; ", degraded));
        return (progressing ? Progressing : Healthy, null);
    }
}
