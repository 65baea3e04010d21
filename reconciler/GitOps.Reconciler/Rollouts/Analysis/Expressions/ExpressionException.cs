namespace GitOps.Reconciler.Rollouts.Analysis.Expressions;

/// <summary>
/// The one error a condition can produce: a syntax error (with the character position) or a failure while
/// evaluating it (a type mismatch, an index out of range). Nothing else escapes the expression language.
/// </summary>
internal sealed class ExpressionException(string message, int position = -1) : Exception(message)
{
    /// <summary>Zero-based character offset of the problem in the expression, or -1 when it arose while evaluating.</summary>
    public int Position { get; } = position;
}
