using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>What a run measures: the templates' and inline metrics combined, the merged arguments, the dry-run metrics.</summary>
internal sealed record ResolvedAnalysis(IReadOnlyList<AnalysisMetric> Metrics, IReadOnlyList<RunArgument> Args, IReadOnlySet<string> DryRun);
