using System.Text.RegularExpressions;

namespace GitOps.Cluster.Membership;

/// <summary>A Kubernetes-style taint, KEY=VALUE:EFFECT (value optional), effect NoSchedule, PreferNoSchedule or NoExecute.</summary>
internal sealed partial record Taint(string Key, string Value, string Effect)
{
    public static readonly IReadOnlyList<string> Effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    public override string ToString() => Value.Length > 0 ? $"{Key}={Value}:{Effect}" : $"{Key}:{Effect}";

    public static bool TryParse(string text, out Taint taint, out string error)
    {
        taint = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0)
        {
            error = $"invalid taint \"{text}\": expected KEY=VALUE:EFFECT (EFFECT one of {string.Join(", ", Effects)})";
            return false;
        }
        var effect = text[(colon + 1)..];
        var kv = text[..colon];
        var eq = kv.IndexOf('=');
        var (key, value) = eq < 0 ? (kv, "") : (kv[..eq], kv[(eq + 1)..]);
        if (!Effects.Contains(effect))
        {
            error = $"invalid taint \"{text}\": effect \"{effect}\" is not one of {string.Join(", ", Effects)}";
            return false;
        }
        if (!KeyPattern().IsMatch(key))
        {
            error = $"invalid taint \"{text}\": key \"{key}\" must be a label key (letters, digits, '-', '_', '.', an optional prefix/)";
            return false;
        }
        taint = new Taint(key, value, effect);
        error = "";
        return true;
    }

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex KeyPattern();
}
