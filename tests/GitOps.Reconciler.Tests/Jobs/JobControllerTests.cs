using GitOps.Reconciler.Model;
using GitOps.Reconciler.Reconcile.Jobs;

namespace GitOps.Reconciler.Tests.Jobs;

/// <summary>Kubernetes' Job controller rules as a pure function: what it asks for, for a spec, a status and the pods it sees.</summary>
public sealed class JobControllerTests
{
    static readonly DateTimeOffset T0 = new(2024, 3, 8, 10, 0, 0, TimeSpan.Zero);

    static JobRecord Run(JobPhase phase = JobPhase.Running) => new() { Name = "pi", Service = "pi", Hash = "h", Created = T0, StartTime = T0, Phase = phase };

    static JobPod Pod(int n, PodPhase phase, double finishedAfter = 0, int? index = null, int exit = -1) =>
        new($"p-pi-{n}", n, index, phase, T0.AddSeconds(finishedAfter), exit >= 0 ? exit : phase == PodPhase.Failed ? 1 : 0);

    static JobSpec Spec(int? completions = 1, int parallelism = 1, int backoff = 6, CompletionMode mode = CompletionMode.NonIndexed) =>
        new(completions, parallelism, backoff, null, null, mode, false);

    static JobDecision Decide(JobSpec spec, JobRecord run, double at, params JobPod[] pods) =>
        JobController.Decide(spec, onFailure: false, run, pods, T0.AddSeconds(at));

    [Fact]
    public void A_default_job_runs_one_pod_and_completes_when_it_succeeds()
    {
        var d = Decide(Spec(), Run(), 0);
        Assert.Equal([new PodToCreate(1, null)], d.Create);
        Assert.Equal(2, d.Record.NextOrdinal);
        var running = Decide(Spec(), d.Record, 1, Pod(1, PodPhase.Running));
        Assert.Empty(running.Create);
        Assert.Equal(JobPhase.Running, running.Record.Phase);
        var done = Decide(Spec(), running.Record, 5, Pod(1, PodPhase.Succeeded, 4));
        Assert.Equal(JobPhase.Complete, done.Record.Phase);
        Assert.Equal((1, 0, T0.AddSeconds(5)), (done.Record.Succeeded, done.Record.Failed, done.Record.FinishedTime));
        // Asked again (a poll, a restart of the daemon): nothing more, and the success is not counted twice.
        var again = Decide(Spec(), done.Record, 60, Pod(1, PodPhase.Succeeded, 4));
        Assert.Empty(again.Create);
        Assert.Equal(1, again.Record.Succeeded);
    }

    [Fact]
    public void Completions_with_parallelism_keep_at_most_parallelism_pods_and_never_more_than_needed()
    {
        var spec = Spec(completions: 3, parallelism: 2);
        var d = Decide(spec, Run(), 0);
        Assert.Equal([1, 2], d.Create.Select(c => c.Ordinal));
        d = Decide(spec, d.Record, 3, Pod(1, PodPhase.Succeeded, 2), Pod(2, PodPhase.Running));
        Assert.Equal([3], d.Create.Select(c => c.Ordinal)); // 1 done, 1 running: one more is enough
        d = Decide(spec, d.Record, 4, Pod(1, PodPhase.Succeeded, 2), Pod(2, PodPhase.Succeeded, 4), Pod(3, PodPhase.Running));
        Assert.Empty(d.Create);
        d = Decide(spec, d.Record, 6, Pod(1, PodPhase.Succeeded, 2), Pod(2, PodPhase.Succeeded, 4), Pod(3, PodPhase.Succeeded, 5));
        Assert.Equal(JobPhase.Complete, d.Record.Phase);
        // More parallelism than completions: only as many pods as completions.
        Assert.Equal(2, Decide(Spec(completions: 2, parallelism: 5), Run(), 0).Create.Count);
    }

    [Fact]
    public void A_work_queue_completes_once_a_pod_succeeded_and_none_runs()
    {
        var spec = Spec(completions: null, parallelism: 3);
        var d = Decide(spec, Run(), 0);
        Assert.Equal(3, d.Create.Count);
        d = Decide(spec, d.Record, 5, Pod(1, PodPhase.Succeeded, 4), Pod(2, PodPhase.Running), Pod(3, PodPhase.Running));
        Assert.Empty(d.Create); // a success means the queue is drained: no new pods
        Assert.Equal(JobPhase.Running, d.Record.Phase);
        d = Decide(spec, d.Record, 9, Pod(1, PodPhase.Succeeded, 4), Pod(2, PodPhase.Succeeded, 8), Pod(3, PodPhase.Succeeded, 9));
        Assert.Equal(JobPhase.Complete, d.Record.Phase);
        Assert.Equal("3/1 of 3", WorkloadViews.Completions(spec, d.Record));
    }

    [Fact]
    public void Indexed_jobs_give_each_index_one_success_and_retry_a_failed_index()
    {
        var spec = Spec(completions: 3, parallelism: 2, mode: CompletionMode.Indexed);
        var d = Decide(spec, Run(), 0);
        Assert.Equal([new PodToCreate(1, 0), new PodToCreate(2, 1)], d.Create);
        d = Decide(spec, d.Record, 2, Pod(1, PodPhase.Succeeded, 1, 0), Pod(2, PodPhase.Failed, 2, 1));
        Assert.Empty(d.Create); // a failure: back-off first
        d = Decide(spec, d.Record, 12, Pod(1, PodPhase.Succeeded, 1, 0), Pod(2, PodPhase.Failed, 2, 1));
        Assert.Equal([new PodToCreate(3, 1), new PodToCreate(4, 2)], d.Create);
        d = Decide(spec, d.Record, 20, Pod(1, PodPhase.Succeeded, 1, 0), Pod(2, PodPhase.Failed, 2, 1), Pod(3, PodPhase.Succeeded, 15, 1), Pod(4, PodPhase.Succeeded, 16, 2));
        Assert.Equal(JobPhase.Complete, d.Record.Phase);
        Assert.Equal([0, 1, 2], d.Record.CompletedIndexes);
        Assert.Equal((3, 1), (d.Record.Succeeded, d.Record.Failed));
    }

    [Fact]
    public void Failed_pods_are_replaced_after_an_exponential_back_off_and_the_job_fails_past_the_backoff_limit()
    {
        var spec = Spec(backoff: 2);
        Assert.Equal([10, 20, 40, 80, 160, 320, 360, 360], Enumerable.Range(1, 8).Select(n => (int)JobController.Backoff(n).TotalSeconds));
        var d = Decide(spec, Run(), 0);
        d = Decide(spec, d.Record, 5, Pod(1, PodPhase.Failed, 5));
        Assert.Empty(d.Create);
        Assert.Equal((1, 1), (d.Record.Failed, d.Record.FailuresSinceSuccess));
        Assert.Empty(Decide(spec, d.Record, 14.9, Pod(1, PodPhase.Failed, 5)).Create);
        d = Decide(spec, d.Record, 15, Pod(1, PodPhase.Failed, 5));
        Assert.Equal([2], d.Create.Select(c => c.Ordinal));
        d = Decide(spec, d.Record, 20, Pod(1, PodPhase.Failed, 5), Pod(2, PodPhase.Failed, 20));
        Assert.Empty(Decide(spec, d.Record, 39, Pod(1, PodPhase.Failed, 5), Pod(2, PodPhase.Failed, 20)).Create); // 20 s after the second failure
        d = Decide(spec, d.Record, 40, Pod(1, PodPhase.Failed, 5), Pod(2, PodPhase.Failed, 20));
        Assert.Equal([3], d.Create.Select(c => c.Ordinal));
        // The third failure is more than backoffLimit (2): the Job fails; ended pods stay for their logs.
        d = Decide(spec, d.Record, 50, Pod(1, PodPhase.Failed, 5), Pod(2, PodPhase.Failed, 20), Pod(3, PodPhase.Failed, 50));
        Assert.Equal((JobPhase.Failed, "BackoffLimitExceeded", "Job has reached the specified backoff limit"), (d.Record.Phase, d.Record.Reason, d.Record.Message));
        Assert.Empty(d.Remove);
        Assert.Empty(Decide(spec, d.Record, 500, Pod(1, PodPhase.Failed, 5), Pod(2, PodPhase.Failed, 20), Pod(3, PodPhase.Failed, 50)).Create);
        // backoffLimit 0: the first failure is the last.
        Assert.Equal(JobPhase.Failed, Decide(Spec(backoff: 0), Run(), 1, Pod(1, PodPhase.Failed, 1)).Record.Phase);
    }

    [Fact]
    public void OnFailure_restarts_the_same_pod_after_the_back_off_until_its_restarts_reach_the_limit()
    {
        var spec = Spec(backoff: 2);
        var run = Run() with { NextOrdinal = 2 };
        var d = JobController.Decide(spec, onFailure: true, run, [Pod(1, PodPhase.Failed, 3)], T0.AddSeconds(4));
        Assert.Empty(d.Restart);
        Assert.Empty(d.Create); // the failed pod is still the active one
        Assert.Equal(0, d.Record.Failed);
        d = JobController.Decide(spec, onFailure: true, d.Record, [Pod(1, PodPhase.Failed, 3)], T0.AddSeconds(13));
        Assert.Equal(["p-pi-1"], d.Restart);
        d = JobController.Decide(spec, onFailure: true, d.Record, [Pod(1, PodPhase.Failed, 20)], T0.AddSeconds(21));
        Assert.Equal((JobPhase.Failed, "BackoffLimitExceeded"), (d.Record.Phase, d.Record.Reason));
    }

    [Fact]
    public void Active_deadline_fails_the_job_and_removes_its_running_pods()
    {
        var spec = Spec() with { ActiveDeadline = TimeSpan.FromSeconds(30) };
        var d = Decide(spec, Run() with { NextOrdinal = 2 }, 29, Pod(1, PodPhase.Running));
        Assert.Equal(JobPhase.Running, d.Record.Phase);
        d = Decide(spec, d.Record, 30, Pod(1, PodPhase.Running));
        Assert.Equal((JobPhase.Failed, "DeadlineExceeded", "Job was active longer than specified deadline"), (d.Record.Phase, d.Record.Reason, d.Record.Message));
        Assert.Equal(["p-pi-1"], d.Remove);
    }

    [Fact]
    public void Suspend_removes_active_pods_and_resume_restarts_the_clock()
    {
        var spec = Spec() with { ActiveDeadline = TimeSpan.FromSeconds(30) };
        var d = Decide(spec with { Suspend = true }, Run() with { NextOrdinal = 2 }, 20, Pod(1, PodPhase.Running));
        Assert.Equal((JobPhase.Suspended, (DateTimeOffset?)null), (d.Record.Phase, d.Record.StartTime));
        Assert.Equal(["p-pi-1"], d.Remove);
        Assert.Equal(0, d.Record.Failed); // removed by suspension, not failed
        d = Decide(spec, d.Record, 100);
        Assert.Equal((JobPhase.Running, T0.AddSeconds(100)), (d.Record.Phase, d.Record.StartTime));
        Assert.Equal([2], d.Create.Select(c => c.Ordinal));
        Assert.Equal(JobPhase.Running, Decide(spec, d.Record, 129, Pod(2, PodPhase.Running)).Record.Phase); // the deadline counts from the resume
    }

    [Fact]
    public void Ttl_after_finished_removes_the_pods_and_keeps_the_status()
    {
        var spec = Spec() with { TtlAfterFinished = TimeSpan.FromSeconds(60) };
        var done = Run(JobPhase.Complete) with { FinishedTime = T0.AddSeconds(10), Succeeded = 1, Counted = ["p-pi-1"], NextOrdinal = 2 };
        Assert.Empty(Decide(spec, done, 69, Pod(1, PodPhase.Succeeded, 9)).Remove);
        var d = Decide(spec, done, 70, Pod(1, PodPhase.Succeeded, 9));
        Assert.Equal(["p-pi-1"], d.Remove);
        Assert.True(d.Record.PodsRemoved);
        Assert.Equal((JobPhase.Complete, 1), (d.Record.Phase, d.Record.Succeeded));
        Assert.Empty(Decide(spec, d.Record, 500).Create);
    }

    [Fact]
    public void Lower_parallelism_removes_the_newest_pods_first_and_a_finished_job_removes_leftovers()
    {
        var spec = Spec(completions: 10, parallelism: 1);
        var d = Decide(spec, Run() with { NextOrdinal = 4 }, 1, Pod(1, PodPhase.Running), Pod(2, PodPhase.Running), Pod(3, PodPhase.Pending));
        Assert.Equal(["p-pi-3", "p-pi-2"], d.Remove);
        var done = Run(JobPhase.Complete) with { FinishedTime = T0 };
        Assert.Equal(["p-pi-2"], Decide(spec, done, 1, Pod(1, PodPhase.Succeeded), Pod(2, PodPhase.Running)).Remove);
    }

    [Fact]
    public void Sidecars_of_a_finished_pod_are_stopped()
    {
        var pod = Pod(1, PodPhase.Succeeded, 1) with { SidecarsRunning = true };
        var d = Decide(Spec(), Run() with { NextOrdinal = 2 }, 2, pod);
        Assert.Equal(["p-pi-1"], d.StopSidecars);
        Assert.Equal(JobPhase.Complete, d.Record.Phase);
    }
}
