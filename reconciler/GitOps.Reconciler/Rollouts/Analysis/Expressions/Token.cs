namespace GitOps.Reconciler.Rollouts.Analysis.Expressions;

internal enum TokenKind
{
    Number,
    String,
    Identifier,
    Operator,
    End,
}

/// <summary>One lexical token and where it starts; operators and punctuation are <see cref="TokenKind.Operator"/> with their text.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, double Number, int Position)
{
    public bool Is(string op) => Kind == TokenKind.Operator && Text == op;

    public bool IsWord(string word) => Kind == TokenKind.Identifier && Text == word;
}
