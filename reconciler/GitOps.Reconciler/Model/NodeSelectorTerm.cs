namespace GitOps.Reconciler.Model;

/// <summary>
/// One term of required node affinity: every expression must hold (ANDed); the terms of a pod are ORed. A term
/// with no expressions matches no node, as in Kubernetes. <see cref="MatchFields"/> only knows
/// <c>metadata.name</c>, the node's name.
/// </summary>
internal sealed record NodeSelectorTerm(ValueList<SelectorRequirement> MatchExpressions, ValueList<SelectorRequirement> MatchFields)
{
    public const string NodeNameField = "metadata.name";

    public bool Matches(IReadOnlyDictionary<string, string> nodeLabels, string nodeName)
    {
        if (MatchExpressions.IsEmpty && MatchFields.IsEmpty) return false;
        foreach (var e in MatchExpressions)
            if (!e.Matches(nodeLabels)) return false;
        foreach (var f in MatchFields)
            if (!f.MatchesValue(nodeName)) return false;
        return true;
    }
}
