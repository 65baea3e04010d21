using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Cli.Output;

/// <summary>
/// The part of Go's text/template that docker inspect -f and --format users write: field chains
/// (.State.Status), pipelines (.Config | json), if/else/range/with/end, and the functions json,
/// index, len, join, split, lower, upper, title, printf, print, println. Data is a JSON tree.
/// </summary>
public sealed class GoTemplate
{
    abstract record Node;
    sealed record TextNode(string Text) : Node;
    sealed record ActionNode(Pipeline Pipe) : Node;
    sealed record IfNode(Pipeline Cond, List<Node> Then, List<Node>? Else) : Node;
    sealed record RangeNode(Pipeline Pipe, List<Node> Body, List<Node>? Else) : Node;
    sealed record WithNode(Pipeline Pipe, List<Node> Body, List<Node>? Else) : Node;
    sealed record Pipeline(List<List<string>> Commands);

    readonly List<Node> _root;

    GoTemplate(List<Node> root) => _root = root;

    public static GoTemplate Parse(string template)
    {
        var tokens = Tokenize(template);
        var pos = 0;
        var root = ParseList(tokens, ref pos, out var end);
        if (end is not null) throw new FormatException($"template: unexpected {{{{{end}}}}}");
        return new GoTemplate(root);
    }

    public string Execute(JsonNode? data)
    {
        var sb = new StringBuilder();
        Run(_root, data, sb);
        return sb.ToString();
    }

    // ---- parsing ------------------------------------------------------------------------------

    static List<(bool IsAction, string Text)> Tokenize(string s)
    {
        var result = new List<(bool, string)>();
        var i = 0;
        while (i < s.Length)
        {
            var open = s.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0) { result.Add((false, s[i..])); break; }
            if (open > i) result.Add((false, s[i..open]));
            var close = s.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0) throw new FormatException("template: unclosed action {{");
            var inner = s[(open + 2)..close];
            var trimLeft = inner.StartsWith("- ", StringComparison.Ordinal);
            var trimRight = inner.EndsWith(" -", StringComparison.Ordinal);
            if (trimLeft && result.Count > 0 && !result[^1].Item1) result[^1] = (false, result[^1].Item2.TrimEnd());
            inner = inner.Trim().TrimStart('-').TrimEnd('-').Trim();
            result.Add((true, inner));
            i = close + 2;
            if (trimRight) while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        }
        return result;
    }

    static List<Node> ParseList(List<(bool IsAction, string Text)> tokens, ref int pos, out string? end)
    {
        var nodes = new List<Node>();
        while (pos < tokens.Count)
        {
            var (isAction, text) = tokens[pos++];
            if (!isAction) { nodes.Add(new TextNode(text)); continue; }
            var word = text.Split(' ', 2)[0];
            switch (word)
            {
                case "end" or "else":
                    end = text;
                    return nodes;
                case "if" or "range" or "with":
                    var pipe = ParsePipeline(text[word.Length..].Trim());
                    var body = ParseList(tokens, ref pos, out var e1);
                    List<Node>? elseBody = null;
                    if (e1 == "else")
                    {
                        elseBody = ParseList(tokens, ref pos, out var e2);
                        if (e2 != "end") throw new FormatException($"template: missing {{{{end}}}} for {word}");
                    }
                    else if (e1 != "end") throw new FormatException($"template: missing {{{{end}}}} for {word}");
                    nodes.Add(word switch
                    {
                        "if" => new IfNode(pipe, body, elseBody),
                        "range" => new RangeNode(pipe, body, elseBody),
                        _ => new WithNode(pipe, body, elseBody),
                    });
                    break;
                default:
                    nodes.Add(new ActionNode(ParsePipeline(text)));
                    break;
            }
        }
        end = null;
        return nodes;
    }

    static Pipeline ParsePipeline(string text) =>
        new(SplitOutsideQuotes(text, '|').Select(c => SplitWords(c.Trim())).Where(c => c.Count > 0).ToList());

    static List<string> SplitOutsideQuotes(string s, char sep)
    {
        var parts = new List<string>();
        var sb = new StringBuilder();
        var inQuote = false;
        foreach (var c in s)
        {
            if (c == '"') inQuote = !inQuote;
            if (c == sep && !inQuote) { parts.Add(sb.ToString()); sb.Clear(); continue; }
            sb.Append(c);
        }
        parts.Add(sb.ToString());
        return parts;
    }

    static List<string> SplitWords(string s)
    {
        var words = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            if (char.IsWhiteSpace(s[i])) { i++; continue; }
            if (s[i] == '"')
            {
                var j = i + 1;
                var sb = new StringBuilder("\"");
                while (j < s.Length && s[j] != '"')
                {
                    if (s[j] == '\\' && j + 1 < s.Length) { j++; sb.Append(s[j] switch { 'n' => '\n', 't' => '\t', var c => c }); }
                    else sb.Append(s[j]);
                    j++;
                }
                words.Add(sb.ToString());
                i = j + 1;
                continue;
            }
            var start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
            words.Add(s[start..i]);
        }
        return words;
    }

    // ---- evaluation ---------------------------------------------------------------------------

    static void Run(List<Node> nodes, JsonNode? dot, StringBuilder sb)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode t: sb.Append(t.Text); break;
                case ActionNode a: sb.Append(Print(Eval(a.Pipe, dot))); break;
                case IfNode i:
                    if (Truthy(Eval(i.Cond, dot))) Run(i.Then, dot, sb);
                    else if (i.Else is not null) Run(i.Else, dot, sb);
                    break;
                case WithNode w:
                    var v = Eval(w.Pipe, dot);
                    if (Truthy(v)) Run(w.Body, v as JsonNode ?? JsonValue.Create(v?.ToString()), sb);
                    else if (w.Else is not null) Run(w.Else, dot, sb);
                    break;
                case RangeNode r:
                    var items = Eval(r.Pipe, dot);
                    var any = false;
                    if (items is JsonArray arr) foreach (var item in arr) { any = true; Run(r.Body, item, sb); }
                    else if (items is JsonObject obj) foreach (var (_, item) in obj) { any = true; Run(r.Body, item, sb); }
                    else if (items is IEnumerable<string> list) foreach (var item in list) { any = true; Run(r.Body, JsonValue.Create(item), sb); }
                    if (!any && r.Else is not null) Run(r.Else, dot, sb);
                    break;
            }
        }
    }

    static object? Eval(Pipeline pipe, JsonNode? dot)
    {
        object? value = null;
        var first = true;
        foreach (var command in pipe.Commands)
        {
            var args = new List<object?>();
            var name = command[0];
            if (IsFunction(name))
            {
                args.AddRange(command.Skip(1).Select(a => Operand(a, dot)));
                if (!first) args.Add(value);
                value = Call(name, args);
            }
            else
            {
                if (command.Count > 1) throw new FormatException($"template: can't give argument to non-function {name}");
                value = Operand(name, dot);
            }
            first = false;
        }
        return value;
    }

    static readonly HashSet<string> Functions = ["json", "index", "len", "join", "split", "lower", "upper", "title", "printf", "print", "println", "eq", "ne", "not", "and", "or"];

    static bool IsFunction(string name) => Functions.Contains(name);

    static object? Operand(string token, JsonNode? dot)
    {
        if (token.StartsWith('"')) return token[1..];
        if (token == ".") return dot;
        if (token.StartsWith('.')) return Field(dot, token[1..].Split('.'));
        if (token.StartsWith('$')) return dot;
        if (long.TryParse(token, out var n)) return n;
        if (token is "true" or "false") return token == "true";
        throw new FormatException($"template: function \"{token}\" not defined");
    }

    static object? Field(JsonNode? node, string[] path)
    {
        foreach (var part in path)
        {
            if (part.Length == 0) continue;
            if (node is not JsonObject obj) return null;
            if (!obj.TryGetPropertyValue(part, out node))
            {
                // Go templates match exported field names exactly; JSON may use another case.
                node = obj.FirstOrDefault(kv => string.Equals(kv.Key, part, StringComparison.OrdinalIgnoreCase)).Value;
                if (node is null) return null;
            }
        }
        return node;
    }

    static object? Call(string name, List<object?> args)
    {
        switch (name)
        {
            case "json":
                return args.Count == 0 ? "null" : args[0] switch
                {
                    JsonNode n => n.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
                    null => "null",
                    string s => JsonValue.Create(s).ToJsonString(),
                    var o => o.ToString(),
                };
            case "index":
                object? cur = args[0];
                foreach (var key in args.Skip(1))
                {
                    cur = cur switch
                    {
                        JsonObject o => o[key?.ToString() ?? ""],
                        JsonArray a when key is long i && i < a.Count => a[(int)i],
                        _ => null,
                    };
                }
                return cur;
            case "len":
                return args[0] switch { JsonArray a => (long)a.Count, JsonObject o => (long)o.Count, var v => (long)(Print(v).Length) };
            case "join":
                var sep = args.Count > 1 ? args[1]?.ToString() ?? "" : "";
                return args[0] is JsonArray ja ? string.Join(sep, ja.Select(Print)) : Print(args[0]);
            case "split":
                return new JsonArray(Print(args[0]).Split(args[1]?.ToString() ?? "").Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
            case "lower": return Print(args[0]).ToLowerInvariant();
            case "upper": return Print(args[0]).ToUpperInvariant();
            case "title": var t = Print(args[0]); return t.Length == 0 ? t : char.ToUpperInvariant(t[0]) + t[1..];
            case "print": return string.Concat(args.Select(Print));
            case "println": return string.Join(' ', args.Select(Print)) + "\n";
            case "printf": return Printf(Print(args[0]), args.Skip(1).ToList());
            case "eq": return Print(args[0]) == Print(args[1]);
            case "ne": return Print(args[0]) != Print(args[1]);
            case "not": return !Truthy(args[0]);
            case "and": return args.All(Truthy);
            case "or": return args.Any(Truthy);
            default: throw new FormatException($"template: function \"{name}\" not defined");
        }
    }

    static string Printf(string format, List<object?> args)
    {
        var sb = new StringBuilder();
        var a = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length) { sb.Append(format[i]); continue; }
            var verb = format[++i];
            if (verb == '%') { sb.Append('%'); continue; }
            var arg = a < args.Count ? args[a++] : null;
            sb.Append(verb == 'q' ? "\"" + Print(arg) + "\"" : Print(arg));
        }
        return sb.ToString();
    }

    static bool Truthy(object? v) => v switch
    {
        null => false,
        bool b => b,
        long n => n != 0,
        string s => s.Length > 0,
        JsonArray a => a.Count > 0,
        JsonObject o => o.Count > 0,
        JsonValue jv => jv.GetValueKind() switch
        {
            JsonValueKind.False or JsonValueKind.Null => false,
            JsonValueKind.String => jv.GetValue<string>().Length > 0,
            JsonValueKind.Number => jv.GetValue<double>() != 0,
            _ => true,
        },
        _ => true,
    };

    /// <summary>How Go prints a value: strings raw, maps as map[k:v], slices as [a b], nil as &lt;no value&gt;.</summary>
    public static string Print(object? v) => v switch
    {
        null => "<no value>",
        string s => s,
        bool b => b ? "true" : "false",
        long n => n.ToString(CultureInfo.InvariantCulture),
        JsonArray a => "[" + string.Join(' ', a.Select(Print)) + "]",
        JsonObject o => "map[" + string.Join(' ', o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{Print(kv.Value)}")) + "]",
        JsonValue jv => jv.GetValueKind() switch
        {
            JsonValueKind.String => jv.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "<nil>",
            _ => jv.ToJsonString(),
        },
        _ => v.ToString() ?? "",
    };
}
