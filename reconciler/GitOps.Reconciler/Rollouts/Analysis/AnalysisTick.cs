namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>The run after one reconcile, when it next needs attention (null: finished or waiting on nothing), and what happened.</summary>
internal sealed record AnalysisTick(AnalysisRun Run, DateTimeOffset? NextAt, IReadOnlyList<RolloutEvent> Events);
