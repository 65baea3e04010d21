using System.Collections.Concurrent;

namespace GitOps.Reconciler.Rollouts.Analysis.Expressions;

/// <summary>
/// A metric's <c>successCondition</c>/<c>failureCondition</c>: parsed once (and cached), evaluated against each
/// measurement's result. The answer must be a bool; anything else is an error, as in Argo Rollouts.
/// </summary>
internal static class Condition
{
    private static readonly ConcurrentDictionary<string, Node> Cache = new(StringComparer.Ordinal);

    /// <summary>Checks the syntax only (for the loader): null when the expression parses, else the error.</summary>
    public static ExpressionException? Check(string expression)
    {
        try
        {
            Parse(expression);
            return null;
        }
        catch (ExpressionException e)
        {
            return e;
        }
    }

    public static bool Evaluate(string expression, object? result)
    {
        var value = Evaluator.Evaluate(Parse(expression), result);
        return value is bool b ? b : throw new ExpressionException($"expected bool, but got {ExprValues.TypeName(value)}");
    }

    private static Node Parse(string expression)
    {
        if (Cache.TryGetValue(expression, out var node)) return node;
        node = Parser.Parse(expression);
        // Conditions come from Git: bound the cache so a stream of distinct expressions cannot grow it without end.
        if (Cache.Count < 1024) Cache.TryAdd(expression, node);
        return node;
    }
}
