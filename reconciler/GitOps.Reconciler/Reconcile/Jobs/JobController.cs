using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>What the job controller wants done for one run, and the run's new status.</summary>
internal sealed record JobDecision(
    JobRecord Record,
    IReadOnlyList<PodToCreate> Create,
    IReadOnlyList<string> Restart,
    IReadOnlyList<string> Remove,
    IReadOnlyList<string> StopSidecars,
    IReadOnlyList<JobNote> Notes);

/// <summary>
/// Kubernetes' Job controller as a pure function of the spec, the run's status and its pods: level-based, so it can
/// be asked again at any time (after a crash, every tick) and asks for the same things. Semantics follow the Job
/// API: pods are created up to <c>parallelism</c> and never beyond what <c>completions</c> still needs; a run
/// without completions is a work queue (complete once a pod succeeded and none is left running); Indexed runs need
/// one success per index. Failed pods (restartPolicy Never) are replaced after an exponential back-off of
/// 10 s, 20 s, 40 s … capped at 6 minutes, and the run fails with BackoffLimitExceeded once more than
/// <c>backoffLimit</c> pods failed; with OnFailure the pod restarts in place after the same back-off and the run
/// fails once its restarts reach <c>backoffLimit</c> (Kubernetes counts container restarts there).
/// <c>activeDeadlineSeconds</c> fails the run with DeadlineExceeded; on failure running pods are removed and
/// ended ones are kept for their logs. <c>suspend</c> removes running pods and resets the start time on resume.
/// <c>ttlSecondsAfterFinished</c> removes the pods of a finished run (its status stays: the Job is not run again).
/// </summary>
internal static class JobController
{
    public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(6);

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row (1 → 10 s, 2 → 20 s, …, at most 6 min).</summary>
    public static TimeSpan Backoff(int failures)
    {
        if (failures <= 0) return TimeSpan.Zero;
        var exponent = Math.Min(failures - 1, 16);
        var delay = InitialBackoff * (1L << exponent);
        return delay > MaxBackoff ? MaxBackoff : delay;
    }

    public static JobDecision Decide(JobSpec spec, bool onFailure, JobRecord rec, IReadOnlyList<JobPod> pods, DateTimeOffset now)
    {
        var create = new List<PodToCreate>();
        var restart = new List<string>();
        var remove = new List<string>();
        var notes = new List<JobNote>();
        var stopSidecars = pods.Where(p => p.SidecarsRunning && p.Ended && !(onFailure && p.Phase == PodPhase.Failed && !rec.Finished)).Select(p => p.Name).ToList();
        JobDecision Result(JobRecord r)
        {
            var gone = remove.Distinct(StringComparer.Ordinal).ToList();
            return new JobDecision(r, create, [.. restart.Where(n => !gone.Contains(n))], gone, stopSidecars.Where(n => !gone.Contains(n)).ToList(), notes);
        }

        if (rec.Finished)
        {
            // Pods left running by a daemon that stopped between the decision and the removal.
            remove.AddRange(pods.Where(p => !p.Ended).Select(p => p.Name));
            if (spec.TtlAfterFinished is { } ttl && !rec.PodsRemoved && rec.FinishedTime is { } finished && now >= finished + ttl)
            {
                remove.Clear();
                remove.AddRange(pods.Select(p => p.Name));
                rec = rec with { PodsRemoved = true, Active = 0 };
                notes.Add(new(JobLogEvents.Removed, $"job {rec.Name}: ttlSecondsAfterFinished ({ttl.TotalSeconds:0} s) passed, its pods are removed"));
            }
            return Result(rec);
        }

        // Count what ended since the last look, once per pod (per failure, for pods restarting in place).
        var counted = new HashSet<string>(rec.Counted, StringComparer.Ordinal);
        var countedList = rec.Counted.ToList();
        var indexes = new SortedSet<int>(rec.CompletedIndexes);
        var restarts = new Dictionary<string, PodRestarts>(rec.Restarts, StringComparer.Ordinal);
        int succeeded = rec.Succeeded, failed = rec.Failed, inARow = rec.FailuresSinceSuccess;
        var lastFailure = rec.LastFailure;
        foreach (var p in pods.Where(p => p.Ended).OrderBy(p => p.FinishedAt).ThenBy(p => p.Ordinal))
        {
            if (p.Phase == PodPhase.Succeeded)
            {
                if (!counted.Add(p.Name)) continue;
                countedList.Add(p.Name);
                succeeded++;
                inARow = 0;
                if (p.Index is { } i) indexes.Add(i);
            }
            else if (onFailure)
            {
                var r = restarts.GetValueOrDefault(p.Name);
                if (r is not null && r.LastFailure >= p.FinishedAt) continue;
                restarts[p.Name] = new PodRestarts((r?.Count ?? 0) + 1, p.FinishedAt);
                notes.Add(new(JobLogEvents.PodFailed, $"job {rec.Name}: pod {p.Name} exited with code {p.ExitCode}; restarting it (restartPolicy OnFailure)"));
            }
            else
            {
                if (!counted.Add(p.Name)) continue;
                countedList.Add(p.Name);
                failed++;
                inARow++;
                if (lastFailure is null || p.FinishedAt > lastFailure) lastFailure = p.FinishedAt;
                notes.Add(new(JobLogEvents.PodFailed, $"job {rec.Name}: pod {p.Name} exited with code {p.ExitCode}"));
            }
        }
        rec = rec with
        {
            Succeeded = succeeded, Failed = failed, Counted = countedList, CompletedIndexes = [.. indexes], Restarts = restarts,
            FailuresSinceSuccess = inARow, LastFailure = lastFailure,
        };

        // A pod restarting in place (OnFailure) is still the Job's active pod, as its pod is Running in Kubernetes.
        var active = pods.Where(p => !p.Ended || (onFailure && p.Phase == PodPhase.Failed)).ToList();

        if (spec.Suspend)
        {
            if (rec.Phase != JobPhase.Suspended) notes.Add(new(JobLogEvents.Suspended, $"job {rec.Name} suspended: {active.Count} active pod(s) removed"));
            remove.AddRange(active.Select(p => p.Name));
            return Result(rec with { Phase = JobPhase.Suspended, StartTime = null, Active = 0 });
        }
        if (rec.Phase == JobPhase.Suspended || rec.StartTime is null)
        {
            if (rec.Phase == JobPhase.Suspended) notes.Add(new(JobLogEvents.Started, $"job {rec.Name} resumed"));
            rec = rec with { Phase = JobPhase.Running, StartTime = now };
        }

        JobDecision Fail(string reason, string message)
        {
            remove.AddRange(active.Where(p => !p.Ended).Select(p => p.Name));
            notes.Add(new(JobLogEvents.Failed, $"job {rec.Name} failed: {reason}: {message}"));
            return Result(rec with { Phase = JobPhase.Failed, Reason = reason, Message = message, FinishedTime = now, Active = 0 });
        }

        if (spec.ActiveDeadline is { } deadline && rec.StartTime is { } started && now >= started + deadline)
            return Fail("DeadlineExceeded", "Job was active longer than specified deadline");
        if (onFailure)
        {
            var total = active.Sum(p => restarts.GetValueOrDefault(p.Name)?.Count ?? 0);
            if (spec.BackoffLimit == 0 ? total > 0 : total >= spec.BackoffLimit)
                return Fail("BackoffLimitExceeded", "Job has reached the specified backoff limit");
        }
        else if (failed > spec.BackoffLimit)
            return Fail("BackoffLimitExceeded", "Job has reached the specified backoff limit");

        var complete = spec.CompletionMode == CompletionMode.Indexed
            ? indexes.Count >= (spec.Completions ?? 0)
            : spec.Completions is { } c ? succeeded >= c : succeeded > 0 && active.Count == 0;
        if (complete)
        {
            // Enough pods succeeded: whatever still runs is surplus, as the Job controller deletes it.
            remove.AddRange(active.Select(p => p.Name));
            notes.Add(new(JobLogEvents.Completed, $"job {rec.Name} completed ({succeeded} succeeded, {failed} failed)"));
            return Result(rec with { Phase = JobPhase.Complete, FinishedTime = now, Active = 0, Reason = null, Message = null });
        }

        foreach (var p in active.Where(p => p.Phase == PodPhase.Failed))
            if (now >= p.FinishedAt + Backoff(restarts.GetValueOrDefault(p.Name)?.Count ?? 1)) restart.Add(p.Name);

        int want;
        if (spec.CompletionMode == CompletionMode.Indexed)
            want = Math.Min(spec.Parallelism, (spec.Completions ?? 0) - indexes.Count);
        else if (spec.Completions is { } completions)
            want = Math.Min(spec.Parallelism, completions - succeeded);
        else
            want = succeeded > 0 ? active.Count : spec.Parallelism;
        want = Math.Max(0, want);

        var next = rec.NextOrdinal;
        var pending = new List<int>();
        if (spec.CompletionMode == CompletionMode.Indexed)
        {
            var busy = active.Select(p => p.Index).OfType<int>().ToHashSet();
            // Pods of an index that has succeeded meanwhile are surplus first.
            remove.AddRange(active.Where(p => p.Index is { } i && indexes.Contains(i)).Select(p => p.Name));
            pending = Enumerable.Range(0, spec.Completions ?? 0).Where(i => !indexes.Contains(i) && !busy.Contains(i)).ToList();
        }
        var running = active.Where(p => !remove.Contains(p.Name)).ToList();
        if (running.Count > want)
        {
            // Parallelism went down: the newest go first, those not started yet before running ones.
            remove.AddRange(running.OrderBy(p => p.Phase == PodPhase.Pending ? 0 : 1).ThenByDescending(p => p.Ordinal)
                .Take(running.Count - want).Select(p => p.Name));
        }
        else if (running.Count < want && (inARow == 0 || lastFailure is null || now >= lastFailure.Value + Backoff(inARow)))
        {
            var n = want - running.Count;
            if (spec.CompletionMode == CompletionMode.Indexed)
                foreach (var i in pending.Take(n)) create.Add(new PodToCreate(next++, i));
            else
                for (var k = 0; k < n; k++) create.Add(new PodToCreate(next++, null));
        }
        var activeAfter = active.Count(p => !remove.Contains(p.Name)) + create.Count;
        return Result(rec with { NextOrdinal = next, Active = activeAfter });
    }
}
