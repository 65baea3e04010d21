using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Analysis.Providers;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Rollouts.Strategy;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; private set; } = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>The router's per-version statistics, as the test sets them.</summary>
internal sealed class FakeRouterMetrics : IRouterMetrics
{
    public Func<RouterQuery, RouterWindow?> Answer { get; set; } = _ => new RouterWindow(100, 100, 0, 10, 20, 30);

    public List<RouterQuery> Queries { get; } = [];

    public ValueTask<RouterWindow?> QueryAsync(RouterQuery query, CancellationToken cancellationToken)
    {
        Queries.Add(query);
        return ValueTask.FromResult(Answer(query));
    }
}

internal sealed class NoSecrets : IAnalysisSecrets
{
    public ValueTask<string?> GetAsync(string app, string secret, string key, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}

/// <summary>
/// Drives <see cref="RolloutController"/> the way the executor will: feed it what runs, apply the target it returns
/// (replicas become ready at once unless a version is held back, the router applies the weight), persist the state
/// (through JSON, as the daemon does, so nothing survives only in memory), tick again.
/// </summary>
internal sealed class RolloutHarness
{
    private readonly Dictionary<string, VersionReplicas> _running = new(StringComparer.Ordinal);
    private readonly RolloutController _controller;

    public RolloutHarness(RolloutSpec spec, int replicas = 5, TrafficRouting routing = TrafficRouting.Weighted)
    {
        Spec = spec;
        Replicas = replicas;
        Routing = routing;
        _controller = new RolloutController(new AnalysisRunner([new RouterProvider(Router)], new NoSecrets(), Clock), Clock);
    }

    public ManualClock Clock { get; } = new();
    public FakeRouterMetrics Router { get; } = new();
    public RolloutSpec Spec { get; set; }
    public int Replicas { get; set; }
    public TrafficRouting Routing { get; }
    public string Version { get; set; } = "v1";
    public Dictionary<string, AnalysisTemplate> Templates { get; } = new(StringComparer.Ordinal);
    /// <summary>Versions whose replicas start but never become ready.</summary>
    public HashSet<string> Unready { get; } = new(StringComparer.Ordinal);
    public TrafficWeights? Weights { get; private set; }
    public RolloutState? State { get; private set; }
    public RolloutDecision? Last { get; private set; }
    public List<RolloutEvent> Events { get; } = [];
    public List<RolloutAction> Actions { get; } = [];

    public IReadOnlyDictionary<string, VersionReplicas> Running => _running;

    public int ReplicasOf(string version) => _running.TryGetValue(version, out var v) ? v.Replicas : 0;

    public RolloutDecision Tick()
    {
        var input = new RolloutInput("app", "web", Spec, Replicas, Version, "digest-" + Version, "commit-" + Version, Templates, Routing,
            new RolloutObservation([.. _running.Values], Weights));
        var decision = _controller.TickAsync(input, State, CancellationToken.None).GetAwaiter().GetResult();
        Last = decision;
        Events.AddRange(decision.Events);
        Actions.AddRange(decision.Actions);
        State = System.Text.Json.JsonSerializer.Deserialize(System.Text.Json.JsonSerializer.Serialize(decision.State, RolloutJson.Default.RolloutState), RolloutJson.Default.RolloutState);
        foreach (var s in decision.Target.Scale)
        {
            var ready = Unready.Contains(s.Version) ? 0 : s.Replicas;
            _running[s.Version] = new VersionReplicas(s.Version, s.Replicas, ready, ready);
        }
        foreach (var a in decision.Actions.OfType<SetTrafficWeight>()) Weights = new TrafficWeights(a.StableVersion, a.CanaryVersion, a.CanaryWeight);
        return decision;
    }

    /// <summary>Ticks until a tick changes nothing (no action, same state, nothing due now): where the rollout waits.</summary>
    public RolloutDecision Settle(int max = 50)
    {
        for (var i = 0; i < max; i++)
        {
            var before = State is null ? "" : System.Text.Json.JsonSerializer.Serialize(State, RolloutJson.Default.RolloutState);
            var d = Tick();
            var after = System.Text.Json.JsonSerializer.Serialize(State!, RolloutJson.Default.RolloutState);
            if (d.Actions.Count == 0 && before == after && !(d.RequeueAt <= Clock.Now)) return d;
        }
        throw new InvalidOperationException("the rollout did not settle");
    }

    /// <summary>Moves the clock to the decision's requeue time (or by <paramref name="by"/>) and settles.</summary>
    public RolloutDecision Wait(TimeSpan by)
    {
        Clock.Advance(by);
        return Settle();
    }

    public void Command(RolloutCommand command)
    {
        var result = RolloutCommands.Apply(command, State, Spec, Clock.Now);
        Assert.True(result.Ok, $"{command} refused: {result.Error}");
        State = result.State;
    }

    /// <summary>The first version, deployed and stable.</summary>
    public RolloutHarness Deployed()
    {
        Settle();
        Assert.Equal(RolloutPhase.Healthy, Last!.Status.Phase);
        return this;
    }

    public static RolloutSpec Canary(params CanaryStep[] steps) => Canary(CanaryStrategy.Default with { Steps = [.. steps] });

    public static RolloutSpec Canary(CanaryStrategy canary) =>
        new(RolloutStrategyKind.Canary, canary, null, RolloutDefaults.ProgressDeadline, false, false, null);

    public static RolloutSpec BlueGreen(BlueGreenStrategy blueGreen) =>
        new(RolloutStrategyKind.BlueGreen, null, blueGreen, RolloutDefaults.ProgressDeadline, false, false, null);

    public static BlueGreenStrategy BlueGreenDefault => new("web-active", "web-preview", null, null, true, TimeSpan.Zero,
        RolloutDefaults.ScaleDownDelay, RolloutDefaults.AbortScaleDownDelay, null, null);

    public static AnalysisMetric RouterMetric(string name, string successCondition, string? interval = "10s", string? count = null,
        string? failureLimit = null, string? inconclusiveLimit = null, string? failureCondition = null) =>
        new(name, interval, null, count, successCondition, failureCondition, failureLimit, inconclusiveLimit, null, null,
            new MetricProvider(MetricProviderKind.Router, Router: new RouterMetric(RouterMetricKind.SuccessRate, "1m", PodTemplateHashValue.Latest)));

    public static RolloutAnalysis Inline(params AnalysisMetric[] metrics) => new([], [.. metrics], [], [], null);
}
