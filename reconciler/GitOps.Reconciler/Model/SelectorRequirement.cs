using System.Globalization;

namespace GitOps.Reconciler.Model;

/// <summary>One Kubernetes selector expression (<c>key</c>, <c>operator</c>, <c>values</c>), validated at load.</summary>
internal sealed record SelectorRequirement(string Key, SelectorOperator Operator, ValueList<string> Values)
{
    /// <summary>Whether a label set satisfies the expression. Gt/Lt compare integers and fail on a missing or non-integer label, as Kubernetes does.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var actual);
        return Operator switch
        {
            SelectorOperator.In => has && Contains(actual!),
            SelectorOperator.NotIn => !has || !Contains(actual!),
            SelectorOperator.Exists => has,
            SelectorOperator.DoesNotExist => !has,
            SelectorOperator.Gt => has && Integer(actual!) is { } a && a > Integer(Values[0]),
            _ => has && Integer(actual!) is { } b && b < Integer(Values[0]),
        };
    }

    /// <summary>Matches a single value (a node selector's <c>matchFields</c> on metadata.name).</summary>
    public bool MatchesValue(string value) => Operator switch
    {
        SelectorOperator.In => Contains(value),
        SelectorOperator.NotIn => !Contains(value),
        _ => false,
    };

    private bool Contains(string value)
    {
        foreach (var v in Values)
            if (string.Equals(v, value, StringComparison.Ordinal)) return true;
        return false;
    }

    public static long? Integer(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

    public override string ToString() => Operator switch
    {
        SelectorOperator.Exists or SelectorOperator.DoesNotExist => $"{Key} {Operator}",
        _ => $"{Key} {Operator} ({string.Join(",", Values)})",
    };
}
