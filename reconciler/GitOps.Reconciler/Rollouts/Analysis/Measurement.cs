namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// One measurement of a metric: its phase, the value read (as text, e.g. "[0.99]"), a message (secret values
/// masked) and when it started and finished. An unfinished measurement (a job still running) has no
/// <see cref="FinishedAt"/> and is resumed at <see cref="ResumeAt"/>; <see cref="Metadata"/> carries what the
/// provider needs to resume it (the job's name).
/// </summary>
internal sealed record Measurement
{
    public AnalysisPhase Phase { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? ResumeAt { get; init; }
    public string? Value { get; init; }
    public string? Message { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
