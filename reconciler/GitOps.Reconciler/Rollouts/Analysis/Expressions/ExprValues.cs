using System.Globalization;
using System.Text;

namespace GitOps.Reconciler.Rollouts.Analysis.Expressions;

/// <summary>
/// The values conditions work on: null, bool, double, string, lists (<see cref="IReadOnlyList{T}"/> of values) and
/// maps (<see cref="IReadOnlyDictionary{TKey,TValue}"/> of values) — what a JSON document or a Prometheus vector becomes.
/// </summary>
internal static class ExprValues
{
    public static string TypeName(object? v) => v switch
    {
        null => "nil",
        bool => "bool",
        double => "number",
        string => "string",
        IReadOnlyList<object?> => "array",
        IReadOnlyDictionary<string, object?> => "map",
        _ => v.GetType().Name,
    };

    public static bool Equal(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (double x, double y) => x == y,
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (bool x, bool y) => x == y,
        (IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second)),
        (IReadOnlyDictionary<string, object?> x, IReadOnlyDictionary<string, object?> y) =>
            x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var other) && Equal(kv.Value, other)),
        _ => false,
    };

    /// <summary>A compact rendering for measurement values and messages: JSON-like, numbers as Go prints them.</summary>
    public static string Format(object? v)
    {
        var sb = new StringBuilder();
        Append(sb, v, 0);
        return sb.ToString();
    }

    public static string Number(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "+Inf" : double.IsNegativeInfinity(d) ? "-Inf" : d.ToString("R", CultureInfo.InvariantCulture);

    private static void Append(StringBuilder sb, object? v, int depth)
    {
        if (depth > 32) { sb.Append("..."); return; }
        switch (v)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case double d: sb.Append(Number(d)); break;
            case string s: sb.Append('"').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"'); break;
            case IReadOnlyList<object?> list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Append(sb, list[i], depth + 1);
                }
                sb.Append(']');
                break;
            case IReadOnlyDictionary<string, object?> map:
                sb.Append('{');
                var first = true;
                foreach (var (k, item) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Append(sb, k, depth + 1);
                    sb.Append(':');
                    Append(sb, item, depth + 1);
                }
                sb.Append('}');
                break;
            default: sb.Append(v); break;
        }
    }
}
