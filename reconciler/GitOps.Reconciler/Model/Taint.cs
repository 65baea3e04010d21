namespace GitOps.Reconciler.Model;

/// <summary>
/// A node taint (<c>gitops node update --taint key=value:NoSchedule</c>, as <c>kubectl taint</c>): it repels the
/// tasks that do not tolerate it, with the strength of its <see cref="Effect"/>.
/// </summary>
internal sealed record Taint(string Key, string? Value, TaintEffect Effect)
{
    /// <summary>Parses <c>key=value:Effect</c> or <c>key:Effect</c>; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string text, out Taint taint, out string error)
    {
        taint = null!;
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"invalid taint \"{text}\": expected key=value:Effect or key:Effect";
            return false;
        }
        if (!Enum.TryParse<TaintEffect>(text[(colon + 1)..], ignoreCase: false, out var effect) || !Enum.IsDefined(effect) || int.TryParse(text[(colon + 1)..], out _))
        {
            error = $"invalid taint \"{text}\": the effect must be one of NoSchedule, PreferNoSchedule, NoExecute";
            return false;
        }
        var keyValue = text[..colon];
        var eq = keyValue.IndexOf('=', StringComparison.Ordinal);
        var key = eq < 0 ? keyValue : keyValue[..eq];
        var value = eq < 0 ? null : keyValue[(eq + 1)..];
        if (!LabelSyntax.IsQualifiedName(key))
        {
            error = $"invalid taint \"{text}\": '{key}' is not a valid key (a name of letters, digits, '-', '_', '.', optionally prefixed by a DNS name and '/')";
            return false;
        }
        if (value is not null && !LabelSyntax.IsLabelValue(value))
        {
            error = $"invalid taint \"{text}\": '{value}' is not a valid value (at most 63 letters, digits, '-', '_', '.')";
            return false;
        }
        taint = new Taint(key, string.IsNullOrEmpty(value) ? null : value, effect);
        error = "";
        return true;
    }

    public override string ToString() => Value is null ? $"{Key}:{Effect}" : $"{Key}={Value}:{Effect}";
}
