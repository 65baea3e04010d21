using System.Globalization;
using GitOps.Reconciler.Kubernetes;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>What the CronJob controller wants: a Job for a scheduled time, Jobs to delete, the CronJob's new status.</summary>
internal sealed record CronDecision(CronRecord Record, DateTimeOffset? Create, IReadOnlyList<string> Delete, IReadOnlyList<JobNote> Notes);

/// <summary>
/// Kubernetes' CronJob controller (v2) as a pure function: the most recent unmet scheduled time since the last
/// scheduled time (or since the CronJob was first applied) starts a Job named CRONJOB-MINUTES — never twice for
/// one time, so a poll, a heal or a daemon restart cannot run it again. A run is skipped when it is later than
/// startingDeadlineSeconds; with Forbid while an earlier run is active (it may still start when that one ends, if
/// the deadline allows, as in Kubernetes); Replace deletes the active runs first. Suspended CronJobs start nothing:
/// runs due meanwhile count as missed, and without a deadline the latest one starts on resume. Finished Jobs beyond
/// successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted, oldest first.
/// </summary>
internal static class CronController
{
    /// <summary>Kubernetes names a CronJob's Job after its scheduled time in minutes since the epoch.</summary>
    public static string JobName(string cronService, DateTimeOffset scheduled)
    {
        var minutes = (scheduled.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture);
        var dot = cronService.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? $"{cronService}-{minutes}" : KubeNames.Qualify($"{cronService[..dot]}-{minutes}", cronService[(dot + 1)..]);
    }

    public static CronDecision Decide(CronJobSpec spec, CronSchedule schedule, CronRecord rec, IReadOnlyList<JobRecord> children, DateTimeOffset now)
    {
        var notes = new List<JobNote>();
        var delete = new List<string>();

        foreach (var done in children.Where(c => c.Phase == JobPhase.Complete && c.FinishedTime is not null))
            if (rec.LastSuccessfulTime is null || done.FinishedTime > rec.LastSuccessfulTime) rec = rec with { LastSuccessfulTime = done.FinishedTime };
        // History: keep the newest finished Jobs of each outcome, as many as the limits say.
        foreach (var (phase, limit) in new[] { (JobPhase.Complete, spec.SuccessfulJobsHistoryLimit), (JobPhase.Failed, spec.FailedJobsHistoryLimit) })
            delete.AddRange(children.Where(c => c.Phase == phase).OrderByDescending(c => c.ScheduledTime).Skip(limit).Select(c => c.Name));

        if (spec.Suspend) return new CronDecision(rec, null, delete, notes);

        var earliest = rec.LastScheduleTime ?? rec.Created;
        if (spec.StartingDeadline is { } window && now - window > earliest) earliest = now - window;
        var (due, missed) = MostRecent(schedule, earliest, now);
        if (due is not { } scheduled) return new CronDecision(rec, null, delete, notes);

        if (spec.StartingDeadline is { } deadline && scheduled + deadline < now)
        {
            var message = $"missed scheduled time to start a job: {scheduled.UtcDateTime.ToString("R", CultureInfo.InvariantCulture)}";
            if (rec.Message != message) notes.Add(new(JobLogEvents.Skipped, $"cronjob {rec.Service}: {message}"));
            return new CronDecision(rec with { Message = message }, null, delete, notes);
        }
        var name = JobName(rec.Service, scheduled);
        if (children.Any(c => c.Name == name) || rec.LastScheduleTime == scheduled) return new CronDecision(rec, null, delete, notes);

        var active = children.Where(c => !c.Finished).ToList();
        if (spec.Concurrency == ConcurrencyPolicy.Forbid && active.Count > 0)
        {
            const string message = "not starting job because prior execution is still running and concurrency policy is Forbid";
            if (rec.Message != message) notes.Add(new(JobLogEvents.Skipped, $"cronjob {rec.Service}: {message} ({string.Join(", ", active.Select(a => a.Name))})"));
            return new CronDecision(rec with { Message = message }, null, delete, notes);
        }
        if (spec.Concurrency == ConcurrencyPolicy.Replace && active.Count > 0)
        {
            delete.AddRange(active.Select(a => a.Name));
            notes.Add(new(JobLogEvents.Skipped, $"cronjob {rec.Service}: replacing active job(s) {string.Join(", ", active.Select(a => a.Name))} (concurrency policy Replace)"));
        }
        string? warning = null;
        if (missed > 100)
        {
            // Kubernetes still starts the most recent run, and warns.
            warning = $"too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew";
            notes.Add(new(JobLogEvents.Skipped, $"cronjob {rec.Service}: {warning}"));
        }
        notes.Add(new(JobLogEvents.Scheduled, $"cronjob {rec.Service}: created job {name} for {scheduled.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}"));
        return new CronDecision(rec with { LastScheduleTime = scheduled, Message = warning }, scheduled, delete.Distinct(StringComparer.Ordinal).ToList(), notes);
    }

    /// <summary>
    /// The latest scheduled time in (earliest, now] and about how many there were, computed as kube-controller-manager
    /// does: from the distance between the first two times, then walking only the last stretch, so a CronJob that
    /// missed a year of minutes costs no more than one that missed two.
    /// </summary>
    public static (DateTimeOffset? Time, long Missed) MostRecent(CronSchedule schedule, DateTimeOffset earliest, DateTimeOffset now)
    {
        if (schedule.Next(earliest) is not { } t1 || now < t1) return (null, 0);
        if (schedule.Next(t1) is not { } t2 || now < t2) return (t1, 1);
        var between = (long)Math.Round((t2 - t1).TotalSeconds);
        if (between < 1) return (null, 0);
        var missed = (long)(now - t1).TotalSeconds / between + 1;
        var from = t1.AddSeconds((double)Math.Max(0, missed - 2) * between);
        DateTimeOffset? latest = null;
        for (var t = schedule.Next(from.AddTicks(-1)); t is { } x && x <= now; t = schedule.Next(x)) latest = x;
        // An irregular schedule ("0 9 * * 1-5") can make the estimate overshoot: then walk from the first time.
        if (latest is null)
            for (DateTimeOffset? t = t1; t is { } x && x <= now; t = schedule.Next(x)) latest = x;
        return (latest, missed);
    }
}
