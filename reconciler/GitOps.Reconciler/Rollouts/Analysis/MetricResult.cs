namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// What a run knows about one metric: its phase, Argo Rollouts' counters (<see cref="Count"/> counts completed
/// measurements that were not errors) and the last measurements (at most
/// <see cref="Model.RolloutDefaults.MeasurementHistoryLimit"/>).
/// </summary>
internal sealed record MetricResult
{
    public required string Name { get; init; }
    public AnalysisPhase Phase { get; init; } = AnalysisPhase.Running;
    public int Count { get; init; }
    public int Successful { get; init; }
    public int Failed { get; init; }
    public int Inconclusive { get; init; }
    public int Error { get; init; }
    public int ConsecutiveError { get; init; }
    public int ConsecutiveSuccess { get; init; }
    public bool DryRun { get; init; }
    public string? Message { get; init; }
    public IReadOnlyList<Measurement> Measurements { get; init; } = [];

    public Measurement? Last => Measurements.Count == 0 ? null : Measurements[^1];
}
