namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// An AnalysisRun: the analysis of one version of a service for one purpose, as an immutable record persisted with
/// the rollout's state (System.Text.Json, <see cref="Strategy.RolloutJson"/>). The metrics themselves are not copied in: they
/// are resolved from the revision's templates on every tick (a revision fixes them), so the record holds only what
/// happened — the arguments (secrets by reference), the results per metric, and the outcome.
/// </summary>
internal sealed record AnalysisRun
{
    /// <summary>Unique within the service: "{service}-{version}-{revision}-{kind}[-{step}]", as Argo names runs.</summary>
    public required string Name { get; init; }
    public required AnalysisRunKind Kind { get; init; }
    /// <summary>The canary step that started a step run.</summary>
    public int? StepIndex { get; init; }
    /// <summary>The version (pod template hash) under analysis, its rollout revision and retry attempt.</summary>
    public required string Version { get; init; }
    public int Revision { get; init; }
    public int Attempt { get; init; }
    public IReadOnlyList<RunArgument> Args { get; init; } = [];
    /// <summary>Argo's <c>spec.terminate</c>: stop measuring; metrics still running count as successful.</summary>
    public bool Terminate { get; init; }
    public AnalysisPhase Phase { get; init; } = AnalysisPhase.Pending;
    public string? Message { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public IReadOnlyList<MetricResult> MetricResults { get; init; } = [];

    public MetricResult? Result(string metric) => MetricResults.FirstOrDefault(r => r.Name == metric);

    public AnalysisRun WithResult(MetricResult result)
    {
        var list = MetricResults.ToList();
        var i = list.FindIndex(r => r.Name == result.Name);
        if (i >= 0) list[i] = result;
        else list.Add(result);
        return this with { MetricResults = list };
    }
}
