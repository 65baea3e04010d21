using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Analysis.Providers;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>
/// The analysis engine against Argo Rollouts' rules: counts and intervals, initialDelay, failureLimit (default 0),
/// inconclusiveLimit (default 0), consecutiveErrorLimit (default 4, errors retried every 10 s), dry-run metrics.
/// Measurements come from a scripted provider so each outcome is chosen by the test.
/// </summary>
public sealed class AnalysisTests
{
    /// <summary>Answers each measurement with the next scripted phase.</summary>
    private sealed class ScriptedProvider(params AnalysisPhase[] phases) : IMetricProvider
    {
        private int _next;

        public MetricProviderKind Kind => MetricProviderKind.Web;

        public int Calls => _next;

        public Task<Measurement> RunAsync(MeasurementContext context, ResolvedMetric metric, CancellationToken cancellationToken)
        {
            var phase = phases[Math.Min(_next++, phases.Length - 1)];
            return Task.FromResult(phase == AnalysisPhase.Error
                ? Measurements.Error(context.Now, context.Now, "connection refused")
                : Measurements.Finished(context.Now, context.Now, phase, _next.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        public Task<Measurement> ResumeAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken) =>
            Task.FromResult(measurement);

        public Task<Measurement> TerminateAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken) =>
            Task.FromResult(measurement);
    }

    private sealed class Run(ScriptedProvider provider, AnalysisMetric metric, bool dryRun = false)
    {
        private readonly AnalysisRunner _runner = new([provider], new NoSecrets(), Clock);

        public static ManualClock Clock => ClockInstance.Value!;

        public AnalysisRun State { get; private set; } = new() { Name = "web-v2-2-step-1", Kind = AnalysisRunKind.Step, Version = "v2" };

        public DateTimeOffset? NextAt { get; private set; }

        public List<RolloutEvent> Events { get; } = [];

        public AnalysisRun Reconcile()
        {
            var analysis = new ResolvedAnalysis([metric], [], dryRun ? new HashSet<string> { metric.Name } : new HashSet<string>());
            var tick = _runner.ReconcileAsync(State, analysis, new AnalysisTarget("app", "web", "v2", "v1"), CancellationToken.None).GetAwaiter().GetResult();
            State = tick.Run;
            NextAt = tick.NextAt;
            Events.AddRange(tick.Events);
            return State;
        }

        /// <summary>Moves the clock to the next time the run asked for and reconciles.</summary>
        public AnalysisRun Next()
        {
            Assert.NotNull(NextAt);
            if (NextAt > Clock.Now) Clock.Advance(NextAt.Value - Clock.Now);
            return Reconcile();
        }
    }

    private static readonly AsyncLocal<ManualClock> ClockInstance = new();

    public AnalysisTests() => ClockInstance.Value = new ManualClock();

    private static AnalysisMetric Metric(string? interval = "10s", string? count = null, string? failureLimit = null, string? inconclusiveLimit = null,
        string? consecutiveErrorLimit = null, string? initialDelay = null) =>
        new("m", interval, initialDelay, count, "result == true", null, failureLimit, inconclusiveLimit, consecutiveErrorLimit, null,
            new MetricProvider(MetricProviderKind.Web, Web: new WebMetric("http://127.0.0.1/", "GET", [], null, null, null, 10, false)));

    [Fact]
    public void One_failure_fails_the_run_with_the_default_failure_limit()
    {
        var run = new Run(new ScriptedProvider(AnalysisPhase.Failed), Metric(count: "3"));
        var state = run.Reconcile();
        Assert.Equal(AnalysisPhase.Failed, state.Phase);
        Assert.Equal("Metric \"m\" assessed Failed due to failed (1) > failureLimit (0) (last value: 1)", state.Message);
        Assert.Contains(run.Events, e => e.Reason == "AnalysisRunFailed" && e.Warning);
    }

    [Fact]
    public void Failure_limit_allows_that_many_failures()
    {
        var provider = new ScriptedProvider(AnalysisPhase.Failed, AnalysisPhase.Successful, AnalysisPhase.Failed, AnalysisPhase.Failed);
        var run = new Run(provider, Metric(count: "5", failureLimit: "2"));
        Assert.Equal(AnalysisPhase.Running, run.Reconcile().Phase);
        Assert.Equal(Run.Clock.Now + TimeSpan.FromSeconds(10), run.NextAt);
        Assert.Equal(AnalysisPhase.Running, run.Next().Phase);
        Assert.Equal(AnalysisPhase.Running, run.Next().Phase);
        var state = run.Next();
        Assert.Equal(AnalysisPhase.Failed, state.Phase);
        Assert.Equal((3, 1), (state.MetricResults[0].Failed, state.MetricResults[0].Successful));
    }

    [Fact]
    public void Count_measurements_at_interval_then_successful()
    {
        var provider = new ScriptedProvider(AnalysisPhase.Successful);
        var run = new Run(provider, Metric(interval: "30s", count: "3"));
        var start = Run.Clock.Now;
        run.Reconcile();
        // Not due yet: nothing is measured before the interval.
        Run.Clock.Advance(TimeSpan.FromSeconds(29));
        run.Reconcile();
        Assert.Equal(1, provider.Calls);
        run.Next();
        var state = run.Next();
        Assert.Equal(AnalysisPhase.Successful, state.Phase);
        Assert.Equal(3, provider.Calls);
        Assert.Equal(start + TimeSpan.FromSeconds(60), state.CompletedAt);
        Assert.Null(run.NextAt);
    }

    [Fact]
    public void Without_count_or_interval_one_measurement_decides()
    {
        var run = new Run(new ScriptedProvider(AnalysisPhase.Successful), Metric(interval: null));
        Assert.Equal(AnalysisPhase.Successful, run.Reconcile().Phase);
    }

    [Fact]
    public void Initial_delay_postpones_the_first_measurement()
    {
        var provider = new ScriptedProvider(AnalysisPhase.Successful);
        var run = new Run(provider, Metric(interval: null, initialDelay: "1m"));
        var start = Run.Clock.Now;
        Assert.Equal(AnalysisPhase.Pending, run.Reconcile().MetricResults.FirstOrDefault()?.Phase ?? AnalysisPhase.Pending);
        Assert.Equal(0, provider.Calls);
        Assert.Equal(start + TimeSpan.FromMinutes(1), run.NextAt);
        Assert.Equal(AnalysisPhase.Successful, run.Next().Phase);
    }

    [Fact]
    public void Inconclusive_limit_defaults_to_zero()
    {
        var run = new Run(new ScriptedProvider(AnalysisPhase.Inconclusive), Metric(count: "3"));
        Assert.Equal(AnalysisPhase.Inconclusive, run.Reconcile().Phase);

        ClockInstance.Value = new ManualClock();
        var tolerant = new Run(new ScriptedProvider(AnalysisPhase.Inconclusive), Metric(count: "3", inconclusiveLimit: "1"));
        Assert.Equal(AnalysisPhase.Running, tolerant.Reconcile().Phase);
        Assert.Equal(AnalysisPhase.Inconclusive, tolerant.Next().Phase);
    }

    [Fact]
    public void Errors_are_retried_every_ten_seconds_and_the_fifth_in_a_row_errors_the_run()
    {
        var run = new Run(new ScriptedProvider(AnalysisPhase.Error), Metric(interval: "1m", count: "3"));
        var start = Run.Clock.Now;
        for (var i = 0; i < 4; i++) Assert.Equal(AnalysisPhase.Running, (i == 0 ? run.Reconcile() : run.Next()).Phase);
        Assert.Equal(start + TimeSpan.FromSeconds(30), Run.Clock.Now);
        var state = run.Next();
        Assert.Equal(AnalysisPhase.Error, state.Phase);
        Assert.Contains("consecutiveErrors (5) > consecutiveErrorLimit (4)", state.Message);
        Assert.Contains("connection refused", state.Message);
    }

    [Fact]
    public void A_success_resets_the_consecutive_errors()
    {
        var phases = new[] { AnalysisPhase.Error, AnalysisPhase.Error, AnalysisPhase.Successful, AnalysisPhase.Error, AnalysisPhase.Error, AnalysisPhase.Successful };
        var run = new Run(new ScriptedProvider(phases), Metric(interval: "10s", count: "2", consecutiveErrorLimit: "2"));
        run.Reconcile();
        for (var i = 0; i < 5; i++) run.Next();
        Assert.Equal(AnalysisPhase.Successful, run.State.Phase);
        Assert.Equal(4, run.State.MetricResults[0].Error);
    }

    [Fact]
    public void Dry_run_failures_are_reported_but_do_not_fail_the_run()
    {
        var run = new Run(new ScriptedProvider(AnalysisPhase.Failed), Metric(interval: null), dryRun: true);
        var state = run.Reconcile();
        Assert.Equal(AnalysisPhase.Successful, state.Phase);
        Assert.Equal(AnalysisPhase.Failed, state.MetricResults[0].Phase);
        Assert.True(state.MetricResults[0].DryRun);
    }

    [Fact]
    public void Router_metric_values_follow_the_window()
    {
        var window = new RouterWindow(200, 190, 10, 12.5, 80, 120);
        Assert.Equal(0.95, RouterProvider.Value(RouterMetricKind.SuccessRate, window));
        Assert.Equal(0.05, RouterProvider.Value(RouterMetricKind.ErrorRate, window));
        Assert.Equal(120, RouterProvider.Value(RouterMetricKind.LatencyP99, window));
        Assert.Equal(200, RouterProvider.Value(RouterMetricKind.RequestCount, window));
        Assert.True(double.IsNaN(RouterProvider.Value(RouterMetricKind.SuccessRate, new RouterWindow(0, 0, 0, null, null, null))));
    }
}
