using System.Text.RegularExpressions;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// Builds what a run measures from a rollout's analysis, as Argo's NewAnalysisRunFromTemplates does: the referenced
/// templates' metrics (plus metrics written in place) with no name twice, their arguments combined (the same argument
/// in two templates must agree), the rollout's arguments laid over them (pod template hashes filled in), every
/// argument given a value or a secret, and the dry-run rules matched against the metric names.
/// </summary>
internal static class AnalysisTemplateResolver
{
    public static ResolvedAnalysis? Resolve(RolloutAnalysis analysis, IReadOnlyDictionary<string, AnalysisTemplate> templates,
        string latestVersion, string? stableVersion, List<string> errors)
    {
        var before = errors.Count;
        var metrics = new List<AnalysisMetric>();
        var args = new List<RunArgument>();
        var dryRunRules = new List<string>(analysis.DryRun);
        foreach (var reference in analysis.Templates)
        {
            if (!templates.TryGetValue(AnalysisTemplate.KeyOf(reference.Name, reference.ClusterScope), out var template))
            {
                errors.Add($"{(reference.ClusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate")} '{reference.Name}' not found");
                continue;
            }
            metrics.AddRange(template.Metrics);
            dryRunRules.AddRange(template.DryRun);
            foreach (var arg in template.Args) Combine(args, arg, errors);
        }
        metrics.AddRange(analysis.Metrics);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in metrics)
            if (!names.Add(m.Name)) errors.Add($"two metrics have the same name '{m.Name}'");
        if (metrics.Count == 0 && errors.Count == before) errors.Add("no metrics specified");

        foreach (var arg in analysis.Args)
        {
            var i = args.FindIndex(a => a.Name == arg.Name);
            // Argo passes only the arguments a template declares; others are ignored there too.
            if (i < 0) continue;
            var value = arg.PodTemplateHash switch
            {
                PodTemplateHashValue.Latest => latestVersion,
                PodTemplateHashValue.Stable => stableVersion ?? "",
                _ => arg.Value,
            };
            if (value is not null) args[i] = new RunArgument { Name = arg.Name, Value = value };
        }
        foreach (var a in args)
            if (a.Value is null && !a.IsSecret) errors.Add($"args.{a.Name} was not resolved");

        var dryRun = DryRun(dryRunRules, metrics, errors);
        return errors.Count > before ? null : new ResolvedAnalysis(metrics, args, dryRun);
    }

    private static void Combine(List<RunArgument> args, TemplateArgument arg, List<string> errors)
    {
        var i = args.FindIndex(a => a.Name == arg.Name);
        var incoming = new RunArgument { Name = arg.Name, Value = arg.Value, SecretName = arg.Secret?.Name, SecretKey = arg.Secret?.Key };
        if (i < 0) { args.Add(incoming); return; }
        var previous = args[i];
        if (previous.Value is not null && incoming.Value is not null && previous.Value != incoming.Value)
            errors.Add($"Argument `{arg.Name}` specified multiple times with different values: '{previous.Value}', '{incoming.Value}'");
        else if (previous.Value is null && !previous.IsSecret) args[i] = incoming;
    }

    /// <summary>Argo matches dry-run rules as regular expressions against metric names; "*" means every metric.</summary>
    private static HashSet<string> DryRun(List<string> rules, List<AnalysisMetric> metrics, List<string> errors)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var matched = 0;
            foreach (var m in metrics)
            {
                if (!Matches(rules[i], m.Name)) continue;
                result.Add(m.Name);
                matched++;
            }
            if (matched == 0) errors.Add($"dryRun[{i}]: Rule didn't match any metric name(s)");
        }
        return result;
    }

    private static bool Matches(string rule, string name)
    {
        if (rule == "*") return true;
        try
        {
            return Regex.IsMatch(name, rule, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (Exception e) when (e is ArgumentException or RegexMatchTimeoutException)
        {
            return string.Equals(rule, name, StringComparison.Ordinal);
        }
    }
}
