namespace GitOps.Reconciler.Model;

/// <summary>A Kubernetes label selector over pods: matchLabels and matchExpressions, all ANDed. An empty selector matches every pod.</summary>
internal sealed record PodSelector(ValueMap<string> MatchLabels, ValueList<SelectorRequirement> MatchExpressions)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (k, v) in MatchLabels)
            if (!labels.TryGetValue(k, out var actual) || !string.Equals(actual, v, StringComparison.Ordinal)) return false;
        foreach (var e in MatchExpressions)
            if (!e.Matches(labels)) return false;
        return true;
    }
}
