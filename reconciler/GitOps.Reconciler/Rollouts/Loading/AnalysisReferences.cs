using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rollouts.Loading;

/// <summary>
/// The analyses rollouts declare, kept with their position until every template of the application is known (a
/// Rollout may come before its AnalysisTemplate, in another file); then each is resolved as a run would resolve it,
/// so a missing template, an argument nobody passes or a dry-run rule that matches nothing fails the commit with
/// file:line instead of failing the rollout later.
/// </summary>
internal sealed class AnalysisReferences
{
    private readonly List<(YNode At, string Owner, RolloutAnalysis Analysis)> _pending = [];

    public void Add(YNode at, string owner, RolloutAnalysis analysis) => _pending.Add((at, owner, analysis));

    public void Check(IReadOnlyDictionary<string, AnalysisTemplate> templates, LoadContext ctx)
    {
        foreach (var (at, owner, analysis) in _pending)
        {
            // A missing template is reported at its templateName, the rest at the analysis.
            foreach (var item in (at as YMapping)?["templates"] is YSequence refs ? refs.Items : [])
            {
                if (item is not YMapping t || t["templateName"] is not YScalar { IsNull: false } name) continue;
                var cluster = t["clusterScope"] is YScalar c && c.TryGetBool(out var b) && b;
                if (!templates.ContainsKey(AnalysisTemplate.KeyOf(name.Value, cluster)))
                    ctx.Diagnostics.Error(name, $"analysis of {owner}: {(cluster ? "ClusterAnalysisTemplate" : "AnalysisTemplate")} '{name.Value}' not found", "rollout.analysis-template");
            }
            var errors = new List<string>();
            // Versions are placeholders: what is checked here does not depend on them.
            var resolved = AnalysisTemplateResolver.Resolve(analysis, templates, "latest", "stable", errors);
            if (resolved is not null)
            {
                var args = resolved.Args.Where(a => a.Value is not null).ToDictionary(a => a.Name, a => a.Value!, StringComparer.Ordinal);
                // Secret arguments are read when measuring; a metric that uses one cannot be checked further here.
                if (!resolved.Args.Any(a => a.IsSecret))
                    foreach (var metric in resolved.Metrics) MetricResolver.Resolve(metric, args, errors);
            }
            foreach (var error in errors.Distinct(StringComparer.Ordinal).Where(e => !e.EndsWith("' not found", StringComparison.Ordinal)))
                ctx.Diagnostics.Error(at, $"analysis of {owner}: {error}", "rollout.analysis");
        }
        _pending.Clear();
    }
}
