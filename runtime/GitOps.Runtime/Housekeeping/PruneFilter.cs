namespace GitOps.Runtime.Housekeeping;

/// <summary>
/// Docker's prune filters: until=TIME (created before), label=KEY[=VALUE] (all must match) and
/// label!=KEY[=VALUE] (none may match).
/// </summary>
public sealed record PruneFilter(DateTimeOffset? Until, IReadOnlyList<string> Labels, IReadOnlyList<string> NotLabels)
{
    public static readonly PruneFilter None = new(null, [], []);

    public bool Matches(IReadOnlyDictionary<string, string>? labels, DateTimeOffset created)
    {
        labels ??= new Dictionary<string, string>();
        if (Until is { } until && created >= until) return false;
        if (!Labels.All(l => Has(labels, l))) return false;
        return !NotLabels.Any(l => Has(labels, l));
    }

    static bool Has(IReadOnlyDictionary<string, string> labels, string filter)
    {
        var eq = filter.IndexOf('=');
        if (eq < 0) return labels.ContainsKey(filter);
        return labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }
}
