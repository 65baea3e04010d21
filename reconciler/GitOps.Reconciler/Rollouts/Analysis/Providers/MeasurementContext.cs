namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// What a provider knows about the measurement it takes: the target, the run, which measurement of the metric this
/// is (for deterministic job names), and the clock every timestamp comes from.
/// </summary>
internal sealed record MeasurementContext(AnalysisTarget Target, AnalysisRun Run, int MeasurementIndex, TimeProvider Clock)
{
    public DateTimeOffset Now => Clock.GetUtcNow();
}

/// <summary>The service under analysis: its application, name, the version being rolled out and the stable one.</summary>
internal sealed record AnalysisTarget(string App, string Service, string LatestVersion, string? StableVersion);
