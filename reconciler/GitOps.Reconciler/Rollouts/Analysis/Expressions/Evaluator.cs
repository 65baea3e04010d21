using System.Globalization;
using System.Text.RegularExpressions;

namespace GitOps.Reconciler.Rollouts.Analysis.Expressions;

/// <summary>
/// Evaluates a parsed condition against a measurement's <c>result</c>, with the functions Argo Rollouts puts in
/// scope (<c>asInt</c>, <c>asFloat</c>, <c>isNaN</c>, <c>isInf</c>, <c>isNil</c>, <c>default</c>) and expr-lang's
/// builtins conditions use (<c>len</c>, <c>abs</c>, <c>min</c>, <c>max</c>, <c>sum</c>, <c>floor</c>, <c>ceil</c>,
/// <c>round</c>, <c>int</c>, <c>float</c>, <c>string</c>). Types are checked as expr checks them at run time:
/// <c>"a" &lt; 1</c> is an error, <c>"a" == 1</c> is false. Every failure is an <see cref="ExpressionException"/>.
/// </summary>
internal sealed class Evaluator
{
    private const int MaxDepth = 512;
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    private readonly object? _result;
    private int _depth;

    private Evaluator(object? result) => _result = result;

    public static object? Evaluate(Node node, object? result) => new Evaluator(result).Eval(node);

    private object? Eval(Node node)
    {
        if (++_depth > MaxDepth) throw new ExpressionException("expression is too deeply nested to evaluate");
        try
        {
            return node switch
            {
                LiteralNode l => l.Value,
                IdentifierNode id => id.Name == "result" ? _result : throw new ExpressionException($"unknown name '{id.Name}' (conditions can use 'result')", id.Position),
                MemberNode m => Member(Eval(m.Target), m.Name, m.Optional, m.Position),
                IndexNode i => Index(Eval(i.Target), i.Index, i.Optional, i.Position),
                CallNode c => Call(c),
                UnaryNode u => Unary(u),
                BinaryNode b => Binary(b),
                ConditionalNode c => Bool(Eval(c.Condition), "?:", c.Position) ? Eval(c.WhenTrue) : Eval(c.WhenFalse),
                ArrayNode a => a.Items.Select(Eval).ToList(),
                _ => throw new ExpressionException("unsupported expression", node.Position),
            };
        }
        finally { _depth--; }
    }

    private static object? Member(object? target, string name, bool optional, int at) => target switch
    {
        null when optional => null,
        IReadOnlyDictionary<string, object?> map => map.TryGetValue(name, out var v) ? v : null,
        IReadOnlyList<object?> list when name == "length" => (double)list.Count,
        _ => throw new ExpressionException($"cannot fetch {name} from {ExprValues.TypeName(target)}", at),
    };

    private object? Index(object? target, Node indexNode, bool optional, int at)
    {
        if (target is null && optional) return null;
        var index = Eval(indexNode);
        switch (target)
        {
            case IReadOnlyList<object?> list:
                return list[Position(index, list.Count, at)];
            case string s:
                return s[Position(index, s.Length, at)].ToString();
            case IReadOnlyDictionary<string, object?> map when index is string key:
                return map.TryGetValue(key, out var v) ? v : null;
            case IReadOnlyDictionary<string, object?>:
                throw new ExpressionException($"cannot use {ExprValues.TypeName(index)} as a map key", at);
            default:
                throw new ExpressionException($"cannot index {ExprValues.TypeName(target)}", at);
        }
    }

    /// <summary>An index as expr reads it: an integer, negative from the end; out of range is an error.</summary>
    private static int Position(object? index, int length, int at)
    {
        if (index is not double d || d != Math.Floor(d) || double.IsInfinity(d))
            throw new ExpressionException($"index must be an integer, got {ExprValues.TypeName(index)} {ExprValues.Format(index)}", at);
        var i = d < 0 ? d + length : d;
        if (i < 0 || i >= length) throw new ExpressionException($"index out of range: {ExprValues.Number(d)} (array length is {length})", at);
        return (int)i;
    }

    private object? Unary(UnaryNode u)
    {
        var v = Eval(u.Operand);
        return u.Operator switch
        {
            "!" => !Bool(v, "!", u.Position),
            "-" => -Number(v, "-", u.Position),
            _ => Number(v, "+", u.Position),
        };
    }

    private object? Binary(BinaryNode b)
    {
        switch (b.Operator)
        {
            case "&&" or "and":
                return Bool(Eval(b.Left), b.Operator, b.Position) && Bool(Eval(b.Right), b.Operator, b.Position);
            case "||" or "or":
                return Bool(Eval(b.Left), b.Operator, b.Position) || Bool(Eval(b.Right), b.Operator, b.Position);
            case "??":
                return Eval(b.Left) ?? Eval(b.Right);
        }
        var l = Eval(b.Left);
        var r = Eval(b.Right);
        switch (b.Operator)
        {
            case "==": return ExprValues.Equal(l, r);
            case "!=": return !ExprValues.Equal(l, r);
            case "<" or ">" or "<=" or ">=": return Compare(b.Operator, l, r, b.Position);
            case "in": return In(l, r, b.Position);
            case "not in": return !In(l, r, b.Position);
            case "contains": return Str(l, b).Contains(Str(r, b), StringComparison.Ordinal);
            case "startsWith": return Str(l, b).StartsWith(Str(r, b), StringComparison.Ordinal);
            case "endsWith": return Str(l, b).EndsWith(Str(r, b), StringComparison.Ordinal);
            case "matches": return Matches(Str(l, b), Str(r, b), b.Position);
            case "+" when l is string ls && r is string rs: return ls + rs;
            case "+" when l is IReadOnlyList<object?> la && r is IReadOnlyList<object?> ra: return la.Concat(ra).ToList();
        }
        var x = Number(l, b.Operator, b.Position, r);
        var y = Number(r, b.Operator, b.Position, l);
        switch (b.Operator)
        {
            case "+": return x + y;
            case "-": return x - y;
            case "*": return x * y;
            case "/": return x / y; // expr divides as floats: 1/0 is +Inf, as in Go
            case "**": return Math.Pow(x, y);
            default:
                if (x != Math.Floor(x) || y != Math.Floor(y) || double.IsInfinity(x) || double.IsInfinity(y))
                    throw new ExpressionException($"invalid operation: % needs integers, got {ExprValues.Number(x)} and {ExprValues.Number(y)}", b.Position);
                if (y == 0) throw new ExpressionException("integer divide by zero", b.Position);
                return x % y; // the sign follows the dividend, as Go's integer %
        }
    }

    private static bool Compare(string op, object? l, object? r, int at)
    {
        int c;
        if (l is double x && r is double y)
        {
            // Any comparison with NaN is false, as in Go.
            if (double.IsNaN(x) || double.IsNaN(y)) return false;
            c = x.CompareTo(y);
        }
        else if (l is string s && r is string t) c = string.CompareOrdinal(s, t);
        else throw new ExpressionException($"invalid operation: {op} (mismatched types {ExprValues.TypeName(l)} and {ExprValues.TypeName(r)})", at);
        return op switch { "<" => c < 0, ">" => c > 0, "<=" => c <= 0, _ => c >= 0 };
    }

    private static bool In(object? item, object? collection, int at) => collection switch
    {
        IReadOnlyList<object?> list => list.Any(e => ExprValues.Equal(e, item)),
        IReadOnlyDictionary<string, object?> map when item is string key => map.ContainsKey(key),
        IReadOnlyDictionary<string, object?> => false,
        _ => throw new ExpressionException($"invalid operation: in (cannot look into {ExprValues.TypeName(collection)})", at),
    };

    private static bool Matches(string text, string pattern, int at)
    {
        try
        {
            return Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException e)
        {
            throw new ExpressionException($"invalid regular expression: {e.Message}", at);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new ExpressionException("regular expression took too long to match", at);
        }
    }

    private object? Call(CallNode c)
    {
        var args = c.Args.Select(Eval).ToList();
        return c.Name switch
        {
            "len" => Arity(c, args, 1) switch
            {
                string s => (double)s.Length,
                IReadOnlyList<object?> l => (double)l.Count,
                IReadOnlyDictionary<string, object?> m => (double)m.Count,
                var v => throw new ExpressionException($"invalid argument for len (type {ExprValues.TypeName(v)})", c.Position),
            },
            "asInt" or "int" => Math.Truncate(ToNumber(Arity(c, args, 1), c, integer: true)),
            "asFloat" or "float" => ToNumber(Arity(c, args, 1), c, integer: false),
            "isNaN" => double.IsNaN(Number(Arity(c, args, 1), c.Name, c.Position)),
            "isInf" => double.IsInfinity(Number(Arity(c, args, 1), c.Name, c.Position)),
            "isNil" => Arity(c, args, 1) is null,
            "default" => Arity(c, args, 2) ?? args[1],
            "string" => Arity(c, args, 1) switch { string s => s, double d => ExprValues.Number(d), var v => ExprValues.Format(v) },
            "abs" => Math.Abs(Number(Arity(c, args, 1), c.Name, c.Position)),
            "floor" => Math.Floor(Number(Arity(c, args, 1), c.Name, c.Position)),
            "ceil" => Math.Ceiling(Number(Arity(c, args, 1), c.Name, c.Position)),
            "round" => Math.Round(Number(Arity(c, args, 1), c.Name, c.Position), MidpointRounding.AwayFromZero),
            "min" or "max" or "sum" => Aggregate(c, args),
            _ => throw new ExpressionException($"unknown function '{c.Name}'", c.Position),
        };
    }

    private static object? Arity(CallNode c, List<object?> args, int count)
    {
        if (args.Count != count) throw new ExpressionException($"{c.Name}() takes {count} argument{(count == 1 ? "" : "s")}, got {args.Count}", c.Position);
        return args[0];
    }

    private static double Aggregate(CallNode c, List<object?> args)
    {
        var items = args.Count == 1 && args[0] is IReadOnlyList<object?> list ? list : args;
        var numbers = items.Select(v => Number(v, c.Name, c.Position)).ToList();
        if (c.Name == "sum") return numbers.Sum();
        if (numbers.Count == 0) throw new ExpressionException($"{c.Name}() needs at least one number", c.Position);
        return c.Name == "min" ? numbers.Min() : numbers.Max();
    }

    /// <summary>Argo's asInt/asFloat: numbers as they are, strings parsed (an unparsable string is an error).</summary>
    private static double ToNumber(object? v, CallNode c, bool integer)
    {
        switch (v)
        {
            case double d: return d;
            case bool b when c.Name is "int" or "float": return b ? 1 : 0;
            case string s:
                var style = integer ? NumberStyles.AllowLeadingSign : NumberStyles.Float;
                if (double.TryParse(s.Trim(), style, CultureInfo.InvariantCulture, out var parsed)) return parsed;
                throw new ExpressionException($"{c.Name}(): cannot parse \"{s}\" as {(integer ? "an integer" : "a number")}", c.Position);
            default:
                throw new ExpressionException($"{c.Name}() not supported on {ExprValues.TypeName(v)}", c.Position);
        }
    }

    private static double Number(object? v, string op, int at, object? other = null) => v is double d
        ? d
        : throw new ExpressionException(other is null
            ? $"invalid operation: {op} on {ExprValues.TypeName(v)}"
            : $"invalid operation: {op} (mismatched types {ExprValues.TypeName(v)} and {ExprValues.TypeName(other)})", at);

    private static bool Bool(object? v, string op, int at) => v is bool b ? b : throw new ExpressionException($"invalid operation: {op} needs a bool, got {ExprValues.TypeName(v)}", at);

    private static string Str(object? v, BinaryNode b) => v is string s ? s : throw new ExpressionException($"invalid operation: {b.Operator} needs strings, got {ExprValues.TypeName(v)}", b.Position);
}
