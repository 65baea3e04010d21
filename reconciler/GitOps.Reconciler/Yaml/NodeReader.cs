using System.Globalization;
using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Values;

namespace GitOps.Reconciler.Yaml;

/// <summary>
/// Typed reads of a node for the mappers. Each read that fails reports where and what was expected and
/// returns null, so a mapper carries on and every mistake of a file is reported in one pass. Numbers and
/// booleans may also be strings (that is what interpolation produces, and what the Compose schema allows).
/// </summary>
internal sealed class NodeReader(DiagnosticBag diagnostics)
{
    public DiagnosticBag Diagnostics { get; } = diagnostics;

    public void Error(YNode node, string message, string code = "manifest.value") => Diagnostics.Error(node, message, code);

    public void Warning(YNode node, string message, string code = "manifest.value") => Diagnostics.Warning(node, message, code);

    public YMapping? Mapping(YNode? node)
    {
        switch (node)
        {
            case null: return null;
            case YMapping m: return m;
            case YScalar { IsNull: true }: return null;
            default:
                Error(node, $"expected a mapping, got {node.TypeName}", "manifest.type");
                return null;
        }
    }

    public YSequence? Sequence(YNode? node)
    {
        switch (node)
        {
            case null: return null;
            case YSequence s: return s;
            case YScalar { IsNull: true }: return null;
            default:
                Error(node, $"expected a sequence, got {node.TypeName}", "manifest.type");
                return null;
        }
    }

    public string? String(YNode? node)
    {
        switch (node)
        {
            case null: return null;
            case YScalar { IsNull: true }: return null;
            case YScalar s: return s.Value;
            default:
                Error(node, $"expected a string, got {node.TypeName}", "manifest.type");
                return null;
        }
    }

    public string? RequiredString(YNode? node, YNode owner, string key)
    {
        var s = String(node);
        if (s is null && node is null or YScalar { IsNull: true }) Error(node ?? owner, $"'{key}' is required", "manifest.required");
        return s;
    }

    public long? Long(YNode? node, long min = long.MinValue, long max = long.MaxValue)
    {
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is YScalar s)
        {
            long value;
            var ok = s.TryGetInt64(out value) ||
                     (s.Kind == ScalarKind.String && long.TryParse(s.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)) ||
                     (s.Kind == ScalarKind.Float && s.TryGetDouble(out var d) && d == Math.Floor(d) && d >= long.MinValue && d <= long.MaxValue && (value = (long)d) == d);
            if (ok)
            {
                if (value < min || value > max)
                {
                    Error(node, max == long.MaxValue ? $"expected an integer of at least {min}" : $"expected an integer from {min} to {max}");
                    return null;
                }
                return value;
            }
        }
        Error(node, $"expected an integer, got {Describe(node)}", "manifest.type");
        return null;
    }

    public int? Int(YNode? node, int min = int.MinValue, int max = int.MaxValue) => (int?)Long(node, min, max);

    public double? Double(YNode? node)
    {
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is YScalar s && (s.TryGetDouble(out var d) || double.TryParse(s.Value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out d)) && double.IsFinite(d)) return d;
        Error(node, $"expected a number, got {Describe(node)}", "manifest.type");
        return null;
    }

    public bool? Bool(YNode? node)
    {
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is YScalar s)
        {
            if (s.TryGetBool(out var b)) return b;
            // Interpolated values are strings; compose-go accepts these spellings for booleans.
            switch (s.Value.Trim().ToLowerInvariant())
            {
                case "true" or "yes" or "y" or "on": return true;
                case "false" or "no" or "n" or "off": return false;
            }
        }
        Error(node, $"expected a boolean, got {Describe(node)}", "manifest.type");
        return null;
    }

    public TimeSpan? Duration(YNode? node)
    {
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is YScalar s && GoDuration.TryParse(s.Value, out var value)) return value;
        Error(node, $"expected a duration such as 10s, 1m30s or 500ms, got {Describe(node)}", "manifest.duration");
        return null;
    }

    /// <summary>Kubernetes seconds fields (<c>periodSeconds: 10</c>).</summary>
    public TimeSpan? Seconds(YNode? node, long min = 0)
    {
        var n = Long(node, min);
        return n is null ? null : TimeSpan.FromSeconds(n.Value);
    }

    public long? Bytes(YNode? node)
    {
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is YScalar s && ByteSize.TryParse(s.Value, out var value)) return value;
        Error(node, $"expected a byte size such as 512m, 1g or 10000, got {Describe(node)}", "manifest.bytes");
        return null;
    }

    /// <summary>A sequence of strings, or (when <paramref name="allowSingle"/>) one string standing for a one-item list.</summary>
    public List<string>? StringList(YNode? node, bool allowSingle = false)
    {
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is YScalar s && allowSingle) return [s.Value];
        var seq = Sequence(node);
        if (seq is null) return null;
        var list = new List<string>(seq.Count);
        foreach (var item in seq.Items)
        {
            var v = String(item);
            if (v is not null) list.Add(v);
        }
        return list;
    }

    /// <summary>
    /// Compose's list-or-dict (environment, labels, args...): <c>["K=V", "K"]</c> or <c>{K: V, K: null}</c>, in
    /// written order. A missing value (<c>K</c> alone, or <c>K:</c>) is null.
    /// </summary>
    public List<(string Key, string? Value, YNode Node)>? ListOrDict(YNode? node)
    {
        if (node is null or YScalar { IsNull: true }) return null;
        var result = new List<(string, string?, YNode)>();
        switch (node)
        {
            case YMapping map:
                foreach (var e in map.Entries)
                {
                    string? value = e.Value switch
                    {
                        YScalar { IsNull: true } => null,
                        YScalar s => s.Value,
                        _ => null,
                    };
                    if (e.Value is not YScalar) Error(e.Value, $"expected a string, number or boolean, got {e.Value.TypeName}", "manifest.type");
                    result.Add((e.Key.Value, value, e.Value));
                }
                break;
            case YSequence seq:
                foreach (var item in seq.Items)
                {
                    var text = String(item);
                    if (text is null) continue;
                    var eq = text.IndexOf('=', StringComparison.Ordinal);
                    result.Add(eq < 0 ? (text, null, item) : (text[..eq], text[(eq + 1)..], item));
                }
                break;
            default:
                Error(node, $"expected a mapping or a sequence of KEY=VALUE strings, got {node.TypeName}", "manifest.type");
                return null;
        }
        return result;
    }

    /// <summary>A mapping of strings (Kubernetes labels, ConfigMap data...).</summary>
    public Dictionary<string, string>? StringMap(YNode? node)
    {
        var map = Mapping(node);
        if (map is null) return null;
        var result = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var e in map.Entries)
        {
            var v = e.Value is YScalar { IsNull: true } ? "" : String(e.Value);
            if (v is not null) result[e.Key.Value] = v;
        }
        return result;
    }

    public static string Describe(YNode node) => node switch
    {
        YScalar { Kind: ScalarKind.String } s => s.Value.Length == 0 ? "an empty string" : "string \"" + Shorten(s.Value) + "\"",
        YScalar s => s.TypeName + " " + Shorten(s.Value),
        _ => node.TypeName,
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
