namespace GitOps.Reconciler.Model;

/// <summary>
/// A Swarm placement preference, <c>spread=node.labels.zone</c> (the only strategy Swarm has): replicas are
/// spread evenly over the values of a node or engine label before spreading over nodes.
/// </summary>
internal static class SpreadPreference
{
    public const string Prefix = "spread=";

    /// <summary>Validates a spread descriptor (the part after "spread=") and gives the canonical preference text.</summary>
    public static bool TryParse(string descriptor, out string canonical, out string error)
    {
        canonical = "";
        var d = descriptor.Trim();
        string? label = null;
        string? prefix = null;
        if (d.Length > PlacementConstraint.NodeLabelPrefix.Length && d.StartsWith(PlacementConstraint.NodeLabelPrefix, StringComparison.OrdinalIgnoreCase))
            (prefix, label) = (PlacementConstraint.NodeLabelPrefix, d[PlacementConstraint.NodeLabelPrefix.Length..]);
        else if (d.Length > PlacementConstraint.EngineLabelPrefix.Length && d.StartsWith(PlacementConstraint.EngineLabelPrefix, StringComparison.OrdinalIgnoreCase))
            (prefix, label) = (PlacementConstraint.EngineLabelPrefix, d[PlacementConstraint.EngineLabelPrefix.Length..]);
        if (prefix is null || label is null || label.Any(char.IsWhiteSpace))
        {
            error = $"invalid placement preference \"spread={descriptor}\": spread takes node.labels.<name> or engine.labels.<name>";
            return false;
        }
        canonical = Prefix + prefix + label;
        error = "";
        return true;
    }

    /// <summary>Splits a canonical preference into the kind of label and its name.</summary>
    public static (bool Engine, string Label) Descriptor(string preference)
    {
        var d = preference.StartsWith(Prefix, StringComparison.Ordinal) ? preference[Prefix.Length..] : preference;
        return d.StartsWith(PlacementConstraint.EngineLabelPrefix, StringComparison.OrdinalIgnoreCase)
            ? (true, d[PlacementConstraint.EngineLabelPrefix.Length..])
            : (false, d[PlacementConstraint.NodeLabelPrefix.Length..]);
    }
}
