using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Swarm;

/// <summary>
/// <c>deploy.placement</c>: constraints and spread preferences, validated here so a constraint naming an unknown
/// attribute or a bad operator fails the load at its line (Swarm would accept it and never place the task), and
/// the <c>gitops.io/reschedule-with-data-loss</c> service label.
/// </summary>
internal static class SwarmPlacement
{
    public static Placement Map(YMapping? placement, List<(string Key, string? Value, YNode Node)> serviceLabels, LoadContext ctx)
    {
        var r = ctx.Reader;
        var constraints = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in r.Sequence(placement?["constraints"])?.Items ?? [])
        {
            if (r.String(item) is not { } text) continue;
            if (PlacementConstraint.TryParse(text, out var c, out var error)) constraints.Add(c.ToString());
            else ctx.Diagnostics.Error(item, error, "deploy.constraint");
        }
        var preferences = new List<string>();
        foreach (var item in r.Sequence(placement?["preferences"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } pm) continue;
            var spread = pm["spread"];
            if (r.String(spread) is not { } descriptor)
            {
                if (spread is null) ctx.Diagnostics.Error(pm, "expected a preference such as 'spread: node.labels.zone' (spread is the only strategy)", "deploy.preference");
                continue;
            }
            if (SpreadPreference.TryParse(descriptor, out var canonical, out var error)) preferences.Add(canonical);
            else ctx.Diagnostics.Error(spread!, error, "deploy.preference");
        }
        return new Placement([.. constraints], [.. preferences]) { RescheduleWithDataLoss = DataLossOptIn(serviceLabels, ctx) };
    }

    /// <summary>Reads the opt-in label; anything but "true" or "false" is an error rather than a silent "no".</summary>
    public static bool DataLossOptIn(IEnumerable<(string Key, string? Value, YNode Node)> labels, LoadContext ctx)
    {
        foreach (var (key, value, node) in labels)
        {
            if (key != Placement.RescheduleWithDataLossKey) continue;
            switch (value?.Trim().ToLowerInvariant())
            {
                case "true": return true;
                case "false": return false;
                default:
                    ctx.Diagnostics.Error(node, $"{Placement.RescheduleWithDataLossKey} takes \"true\" or \"false\", got \"{value}\"", "placement.data-loss");
                    return false;
            }
        }
        return false;
    }
}
