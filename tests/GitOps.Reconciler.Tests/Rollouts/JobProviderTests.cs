using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Analysis.Providers;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>The job provider through the analysis runner: a container run to completion, exit 0 passes, resumed after a restart.</summary>
public sealed class JobProviderTests
{
    private sealed class FakeJobs : IAnalysisJobRunner
    {
        public List<AnalysisJob> Started { get; } = [];
        public Queue<AnalysisJobStatus> Statuses { get; } = new();

        public Task StartAsync(AnalysisJob job, CancellationToken cancellationToken)
        {
            Started.Add(job);
            return Task.CompletedTask;
        }

        public Task<AnalysisJobStatus> GetStatusAsync(string app, string name, CancellationToken cancellationToken) =>
            Task.FromResult(Statuses.Count > 0 ? Statuses.Dequeue() : new AnalysisJobStatus(AnalysisJobState.Running));

        public Task StopAsync(string app, string name, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The job of Argo's "pass" example template, as the loader reads it.</summary>
    private static readonly PodTemplate Pod =
        Load.Files(TestPaths.Corpus("rollouts/analysis-templates.yaml")).Application!.AnalysisTemplates["pass"].Metrics[0].Provider.Job!.Template;

    private static ResolvedAnalysis Analysis() => new(
        [new AnalysisMetric("smoke", null, null, "1", null, null, null, null, null, null, new MetricProvider(MetricProviderKind.Job, Job: new JobMetric(Pod, 0, null)))],
        [], new HashSet<string>());

    private static AnalysisTick Reconcile(FakeJobs jobs, ManualClock clock, AnalysisRun run) =>
        new AnalysisRunner([new JobProvider(jobs)], new NoSecrets(), clock)
            .ReconcileAsync(run, Analysis(), new AnalysisTarget("app", "web", "v2", "v1"), CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public void Job_that_exits_zero_passes() => RunToCompletion(AnalysisJobState.Succeeded, 0, AnalysisPhase.Successful);

    [Fact]
    public void Job_that_exits_non_zero_fails() => RunToCompletion(AnalysisJobState.Failed, 1, AnalysisPhase.Failed);

    private static void RunToCompletion(AnalysisJobState state, int exit, AnalysisPhase expected)
    {
        var jobs = new FakeJobs();
        var clock = new ManualClock();
        var tick = Reconcile(jobs, clock, new AnalysisRun { Name = "web-v2-2-pre", Kind = AnalysisRunKind.PrePromotion, Version = "v2" });
        var job = Assert.Single(jobs.Started);
        Assert.Equal(("app", "web", "web-v2-2-pre.smoke.0"), (job.App, job.Service, job.Name));
        Assert.Equal(AnalysisPhase.Running, tick.Run.Phase);
        Assert.Equal(clock.Now + JobProvider.PollInterval, tick.NextAt);

        // Still running at the first poll; a new runner (a restarted daemon) resumes the same job, never starts another.
        clock.Advance(JobProvider.PollInterval);
        tick = Reconcile(jobs, clock, tick.Run);
        Assert.Equal(AnalysisPhase.Running, tick.Run.Phase);
        jobs.Statuses.Enqueue(new AnalysisJobStatus(state, exit));
        clock.Advance(JobProvider.PollInterval);
        tick = Reconcile(jobs, clock, tick.Run);
        Assert.Single(jobs.Started);
        Assert.Equal(expected, tick.Run.Phase);
        Assert.Equal(exit.ToString(System.Globalization.CultureInfo.InvariantCulture), tick.Run.MetricResults[0].Last!.Value);
    }

    [Fact]
    public void Job_names_are_dns_labels_of_at_most_63_characters_and_stay_unique()
    {
        var a = JobProvider.JobName(new string('x', 80) + "-A", "Metric_One", 3);
        var b = JobProvider.JobName(new string('x', 80) + "-B", "Metric_One", 3);
        Assert.True(a.Length <= 63);
        Assert.Matches("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", a);
        Assert.NotEqual(a, b);
    }
}
