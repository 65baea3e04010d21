using GitOps.Reconciler.Model;
using GitOps.Reconciler.Reconcile.Jobs;

namespace GitOps.Reconciler.Tests.Jobs;

/// <summary>Kubernetes' CronJob controller rules: which scheduled time starts a Job, and never twice.</summary>
public sealed class CronControllerTests
{
    static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 30, TimeSpan.Zero); // the CronJob is applied at 00:00:30
    static readonly CronSchedule EveryMinute = CronSchedule.TryParse("* * * * *", null, out _, TimeZoneInfo.Utc)!;

    static CronJobSpec Spec(ConcurrencyPolicy policy = ConcurrencyPolicy.Allow, TimeSpan? deadline = null, bool suspend = false, int ok = 3, int failed = 1) =>
        new("* * * * *", null, policy, suspend, deadline, ok, failed, default, default);

    static CronRecord New() => new() { Service = "backup", Created = T0 };

    static JobRecord Child(DateTimeOffset scheduled, JobPhase phase) => new()
    {
        Name = CronController.JobName("backup", scheduled), Service = "backup", Hash = "h", Created = scheduled, ScheduledTime = scheduled, StartTime = scheduled,
        Phase = phase, FinishedTime = phase is JobPhase.Complete or JobPhase.Failed ? scheduled.AddSeconds(20) : null,
    };

    static DateTimeOffset Minute(int m) => new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(m);

    [Fact]
    public void Jobs_are_named_after_their_scheduled_minute_as_kubernetes_names_them()
    {
        Assert.Equal("backup-28401120", CronController.JobName("backup", Minute(0)));
        Assert.Equal("backup-28401121.ops", CronController.JobName("backup.ops", Minute(1)));
    }

    [Fact]
    public void The_first_due_time_after_the_cronjob_was_applied_starts_one_job_and_only_once()
    {
        Assert.Null(CronController.Decide(Spec(), EveryMinute, New(), [], T0.AddSeconds(20)).Create); // 00:00:50: nothing due yet
        var d = CronController.Decide(Spec(), EveryMinute, New(), [], Minute(1).AddSeconds(2));
        Assert.Equal(Minute(1), d.Create);
        Assert.Equal(Minute(1), d.Record.LastScheduleTime);
        // The same minute again (a tick, a poll, a restarted daemon with its saved status): nothing.
        Assert.Null(CronController.Decide(Spec(), EveryMinute, d.Record, [Child(Minute(1), JobPhase.Running)], Minute(1).AddSeconds(40)).Create);
        Assert.Null(CronController.Decide(Spec(), EveryMinute, d.Record, [], Minute(1).AddSeconds(59)).Create);
        Assert.Equal(Minute(2), CronController.Decide(Spec(), EveryMinute, d.Record, [Child(Minute(1), JobPhase.Complete)], Minute(2)).Create);
    }

    [Fact]
    public void Missed_runs_start_only_the_latest_and_a_starting_deadline_skips_a_late_one()
    {
        var last = New() with { LastScheduleTime = Minute(1) };
        var d = CronController.Decide(Spec(), EveryMinute, last, [], Minute(10).AddSeconds(5));
        Assert.Equal(Minute(10), d.Create); // nine missed, one run
        // 10:00 was due 30 s ago; with a 5 s starting deadline it is not started (and 10:01 will be).
        var late = CronController.Decide(Spec(deadline: TimeSpan.FromSeconds(5)), EveryMinute, last, [], Minute(10).AddSeconds(30));
        Assert.Null(late.Create);
        Assert.Equal(Minute(1), late.Record.LastScheduleTime);
        Assert.Equal(Minute(10), CronController.Decide(Spec(deadline: TimeSpan.FromSeconds(5)), EveryMinute, last, [], Minute(10).AddSeconds(4)).Create);
    }

    [Fact]
    public void Forbid_skips_while_a_run_is_active_and_starts_the_missed_run_when_it_ends_if_the_deadline_allows()
    {
        var last = New() with { LastScheduleTime = Minute(1) };
        var active = Child(Minute(1), JobPhase.Running);
        var d = CronController.Decide(Spec(ConcurrencyPolicy.Forbid), EveryMinute, last, [active], Minute(2).AddSeconds(1));
        Assert.Null(d.Create);
        Assert.Contains("concurrency policy is Forbid", d.Record.Message);
        Assert.Single(d.Notes);
        Assert.Empty(CronController.Decide(Spec(ConcurrencyPolicy.Forbid), EveryMinute, d.Record, [active], Minute(2).AddSeconds(2)).Notes); // said once
        var ended = active with { Phase = JobPhase.Complete, FinishedTime = Minute(2).AddSeconds(30) };
        Assert.Equal(Minute(2), CronController.Decide(Spec(ConcurrencyPolicy.Forbid), EveryMinute, d.Record, [ended], Minute(2).AddSeconds(31)).Create);
        Assert.Null(CronController.Decide(Spec(ConcurrencyPolicy.Forbid, TimeSpan.FromSeconds(10)), EveryMinute, d.Record, [ended], Minute(2).AddSeconds(31)).Create);
    }

    [Fact]
    public void Replace_deletes_the_active_run_and_allow_runs_beside_it()
    {
        var last = New() with { LastScheduleTime = Minute(1) };
        var active = Child(Minute(1), JobPhase.Running);
        var replace = CronController.Decide(Spec(ConcurrencyPolicy.Replace), EveryMinute, last, [active], Minute(2));
        Assert.Equal(Minute(2), replace.Create);
        Assert.Equal([active.Name], replace.Delete);
        var allow = CronController.Decide(Spec(), EveryMinute, last, [active], Minute(2));
        Assert.Equal(Minute(2), allow.Create);
        Assert.Empty(allow.Delete);
    }

    [Fact]
    public void Suspended_cronjobs_start_nothing_and_on_resume_only_the_latest_missed_run_starts()
    {
        var last = New() with { LastScheduleTime = Minute(1) };
        Assert.Null(CronController.Decide(Spec(suspend: true), EveryMinute, last, [], Minute(5)).Create);
        var resumed = CronController.Decide(Spec(), EveryMinute, last, [], Minute(7).AddSeconds(3));
        Assert.Equal(Minute(7), resumed.Create);
    }

    [Fact]
    public void History_keeps_the_newest_finished_jobs_and_records_the_last_success()
    {
        var children = new[]
        {
            Child(Minute(1), JobPhase.Complete), Child(Minute(2), JobPhase.Failed), Child(Minute(3), JobPhase.Complete), Child(Minute(4), JobPhase.Complete),
            Child(Minute(5), JobPhase.Failed), Child(Minute(6), JobPhase.Complete), Child(Minute(7), JobPhase.Running),
        };
        var d = CronController.Decide(Spec(ok: 2, failed: 1), EveryMinute, New() with { LastScheduleTime = Minute(7) }, children, Minute(7).AddSeconds(30));
        Assert.Equal(new[] { Minute(3), Minute(1), Minute(2) }.Select(m => CronController.JobName("backup", m)).Order(), d.Delete.Order());
        Assert.Equal(Minute(6).AddSeconds(20), d.Record.LastSuccessfulTime);
    }

    [Fact]
    public void More_than_a_hundred_missed_runs_still_start_the_latest_with_kubernetes_warning()
    {
        var last = New() with { LastScheduleTime = Minute(0) };
        var d = CronController.Decide(Spec(), EveryMinute, last, [], Minute(500).AddSeconds(1));
        Assert.Equal(Minute(500), d.Create);
        Assert.StartsWith("too many missed start times: 500", d.Record.Message);
    }
}
