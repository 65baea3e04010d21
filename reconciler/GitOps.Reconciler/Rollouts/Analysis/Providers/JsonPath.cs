using System.Globalization;

namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// The part of Kubernetes' JSONPath that web metrics use: <c>{$.data.ok}</c> (braces optional), <c>$</c>,
/// <c>.name</c>, <c>['name']</c>, <c>[0]</c> and <c>[-1]</c>, <c>[*]</c> and <c>.*</c>. A path selects values; the
/// web provider takes the first, as Argo Rollouts does. Filters, slices and recursive descent are reported as
/// unsupported rather than silently matching nothing.
/// </summary>
internal sealed class JsonPath
{
    private abstract record Step;
    private sealed record Field(string Name) : Step;
    private sealed record Element(int Index) : Step;
    private sealed record Wildcard : Step;

    private readonly List<Step> _steps;

    private JsonPath(List<Step> steps) => _steps = steps;

    public static JsonPath Parse(string? text)
    {
        var s = (text ?? "").Trim();
        if (s.Length == 0) s = "$";
        if (s.StartsWith('{'))
        {
            if (!s.EndsWith('}')) throw new FormatException($"unclosed '{{' in JSONPath \"{text}\"");
            s = s[1..^1].Trim();
        }
        var steps = new List<Step>();
        var i = 0;
        if (i < s.Length && s[i] == '$') i++;
        while (i < s.Length)
        {
            if (s[i] == '.')
            {
                i++;
                if (i < s.Length && s[i] == '.') throw new FormatException($"recursive descent '..' is not supported in JSONPath \"{text}\"");
                if (i < s.Length && s[i] == '*') { steps.Add(new Wildcard()); i++; continue; }
                var start = i;
                while (i < s.Length && s[i] is not ('.' or '[')) i++;
                if (i == start) throw new FormatException($"expected a field name at {start} in JSONPath \"{text}\"");
                steps.Add(new Field(s[start..i]));
            }
            else if (s[i] == '[')
            {
                var end = s.IndexOf(']', i);
                if (end < 0) throw new FormatException($"unclosed '[' in JSONPath \"{text}\"");
                var inner = s[(i + 1)..end].Trim();
                i = end + 1;
                if (inner == "*") steps.Add(new Wildcard());
                else if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0]) steps.Add(new Field(inner[1..^1]));
                else if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index)) steps.Add(new Element(index));
                else throw new FormatException($"'[{inner}]' is not supported in JSONPath \"{text}\" (use [N], [*] or ['name'])");
            }
            else
            {
                // "{.data}" without '$' is valid Kubernetes JSONPath: a leading name is a field of the root.
                var start = i;
                while (i < s.Length && s[i] is not ('.' or '[')) i++;
                if (steps.Count > 0 || start != 0) throw new FormatException($"unexpected '{s[start]}' at {start} in JSONPath \"{text}\"");
                steps.Add(new Field(s[start..i]));
            }
        }
        return new JsonPath(steps);
    }

    /// <summary>The values the path selects, in document order; a missing field is an error, as in Kubernetes' JSONPath.</summary>
    public List<object?> Find(object? root)
    {
        var current = new List<object?> { root };
        foreach (var step in _steps)
        {
            var next = new List<object?>();
            foreach (var value in current)
            {
                switch (step, value)
                {
                    case (Field f, IReadOnlyDictionary<string, object?> map):
                        if (!map.TryGetValue(f.Name, out var child)) throw new KeyNotFoundException($"{f.Name} is not found");
                        next.Add(child);
                        break;
                    case (Element e, IReadOnlyList<object?> list):
                        var index = e.Index < 0 ? e.Index + list.Count : e.Index;
                        if (index < 0 || index >= list.Count) throw new KeyNotFoundException($"array index out of bounds: index {e.Index}, length {list.Count}");
                        next.Add(list[index]);
                        break;
                    case (Wildcard, IReadOnlyList<object?> list):
                        next.AddRange(list);
                        break;
                    case (Wildcard, IReadOnlyDictionary<string, object?> map):
                        next.AddRange(map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value));
                        break;
                    case (Field f, _):
                        throw new KeyNotFoundException($"{f.Name} is not found");
                    case (Element, _):
                        throw new KeyNotFoundException($"cannot index {Expressions.ExprValues.TypeName(value)}");
                }
            }
            current = next;
        }
        return current;
    }
}
