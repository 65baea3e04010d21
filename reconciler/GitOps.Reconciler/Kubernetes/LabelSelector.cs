using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>A Kubernetes label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist), all ANDed.</summary>
internal sealed class LabelSelector
{
    private readonly Dictionary<string, string> _labels;
    private readonly List<(string Key, string Operator, List<string> Values)> _expressions;

    private LabelSelector(Dictionary<string, string> labels, List<(string, string, List<string>)> expressions)
    {
        _labels = labels;
        _expressions = expressions;
    }

    public IReadOnlyDictionary<string, string> MatchLabels => _labels;

    public bool IsEmpty => _labels.Count == 0 && _expressions.Count == 0;

    public static LabelSelector FromMap(IReadOnlyDictionary<string, string> labels) => new(new(labels, StringComparer.Ordinal), []);

    public static LabelSelector? Read(YNode? node, LoadContext ctx)
    {
        var r = ctx.Reader;
        var m = r.Mapping(node);
        if (m is null) return null;
        var labels = r.StringMap(m["matchLabels"]) ?? [];
        var expressions = new List<(string, string, List<string>)>();
        foreach (var item in r.Sequence(m["matchExpressions"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } e) continue;
            var key = r.String(e["key"]) ?? "";
            var op = r.String(e["operator"]) ?? "";
            var values = r.StringList(e["values"]) ?? [];
            if (op is not ("In" or "NotIn" or "Exists" or "DoesNotExist"))
            {
                ctx.Diagnostics.Error(e["operator"] ?? e, $"expected one of 'In', 'NotIn', 'Exists', 'DoesNotExist', got \"{op}\"", "k8s.selector");
                continue;
            }
            expressions.Add((key, op, values));
        }
        return new LabelSelector(labels, expressions);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (k, v) in _labels)
            if (!labels.TryGetValue(k, out var actual) || actual != v) return false;
        foreach (var (key, op, values) in _expressions)
        {
            var has = labels.TryGetValue(key, out var actual);
            var ok = op switch
            {
                "In" => has && values.Contains(actual!),
                "NotIn" => !has || !values.Contains(actual!),
                "Exists" => has,
                _ => !has,
            };
            if (!ok) return false;
        }
        return true;
    }
}
