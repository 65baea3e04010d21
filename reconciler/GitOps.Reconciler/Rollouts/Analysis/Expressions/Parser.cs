namespace GitOps.Reconciler.Rollouts.Analysis.Expressions;

/// <summary>
/// A Pratt parser for the part of expr-lang (the language Argo Rollouts evaluates <c>successCondition</c> and
/// <c>failureCondition</c> in) that conditions use, with expr's precedences: <c>?:</c>, <c>||</c>/<c>or</c>,
/// <c>&amp;&amp;</c>/<c>and</c>, comparisons and <c>in</c>/<c>not in</c>/<c>matches</c>/<c>contains</c>/<c>startsWith</c>/<c>endsWith</c>,
/// <c>+ -</c>, <c>* / %</c>, unary <c>! not -</c>, <c>**</c>, <c>??</c>, then member access, indexing and calls.
/// Nesting is bounded, so no input can exhaust the stack.
/// </summary>
internal sealed class Parser
{
    public const int MaxLength = 4096;
    private const int MaxDepth = 64;

    private static readonly Dictionary<string, (int Precedence, bool Right)> BinaryOperators = new(StringComparer.Ordinal)
    {
        ["||"] = (10, false), ["or"] = (10, false),
        ["&&"] = (15, false), ["and"] = (15, false),
        ["=="] = (20, false), ["!="] = (20, false), ["<"] = (20, false), [">"] = (20, false), ["<="] = (20, false), [">="] = (20, false),
        ["in"] = (20, false), ["not in"] = (20, false), ["matches"] = (20, false), ["contains"] = (20, false),
        ["startsWith"] = (20, false), ["endsWith"] = (20, false),
        ["+"] = (30, false), ["-"] = (30, false),
        ["*"] = (60, false), ["/"] = (60, false), ["%"] = (60, false),
        ["**"] = (100, true),
        ["??"] = (500, false),
    };

    private readonly List<Token> _tokens;
    private int _next;
    private int _depth;

    private Parser(List<Token> tokens) => _tokens = tokens;

    public static Node Parse(string text)
    {
        if (text.Length > MaxLength) throw new ExpressionException($"expression is longer than {MaxLength} characters");
        var parser = new Parser(Lexer.Tokenize(text));
        var node = parser.Expression();
        var end = parser.Peek;
        if (end.Kind != TokenKind.End) throw new ExpressionException($"unexpected {Describe(end)}", end.Position);
        return node;
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    private Node Expression()
    {
        Enter();
        var condition = Binary(0);
        if (Peek.Is("?"))
        {
            var at = Take().Position;
            var whenTrue = Expression();
            Expect(":");
            var whenFalse = Expression();
            condition = new ConditionalNode(condition, whenTrue, whenFalse, at);
        }
        _depth--;
        return condition;
    }

    private Node Binary(int minPrecedence)
    {
        var left = Unary();
        while (true)
        {
            var (op, width) = PeekBinary();
            if (op is null) return left;
            var (precedence, right) = BinaryOperators[op];
            if (precedence < minPrecedence) return left;
            var at = Peek.Position;
            _next += width;
            Enter();
            var rhs = Binary(right ? precedence : precedence + 1);
            _depth--;
            left = new BinaryNode(op, left, rhs, at);
        }
    }

    /// <summary>The binary operator at the cursor and how many tokens it spans ("not in" is two).</summary>
    private (string? Op, int Width) PeekBinary()
    {
        var t = Peek;
        if (t.Kind == TokenKind.Operator && BinaryOperators.ContainsKey(t.Text)) return (t.Text, 1);
        if (t.Kind != TokenKind.Identifier) return (null, 0);
        if (t.Text == "not" && _tokens[_next + 1].IsWord("in")) return ("not in", 2);
        return BinaryOperators.ContainsKey(t.Text) && t.Text != "not in" ? (t.Text, 1) : (null, 0);
    }

    private Node Unary()
    {
        var t = Peek;
        if (t.Is("!") || t.IsWord("not") || t.Is("-") || t.Is("+"))
        {
            Take();
            Enter();
            // expr: "not"/"!" bind looser than arithmetic, "-"/"+" tighter; both looser than "**".
            var operand = Binary(t.Is("-") || t.Is("+") ? 90 : 50);
            _depth--;
            return new UnaryNode(t.Text == "not" ? "!" : t.Text, operand, t.Position);
        }
        return Postfix(Primary());
    }

    private Node Primary()
    {
        var t = Take();
        switch (t.Kind)
        {
            case TokenKind.Number: return new LiteralNode(t.Number, t.Position);
            case TokenKind.String: return new LiteralNode(t.Text, t.Position);
            case TokenKind.Identifier:
                switch (t.Text)
                {
                    case "true": return new LiteralNode(true, t.Position);
                    case "false": return new LiteralNode(false, t.Position);
                    case "nil" or "null": return new LiteralNode(null, t.Position);
                }
                if (BinaryOperators.ContainsKey(t.Text)) throw new ExpressionException($"unexpected operator '{t.Text}'", t.Position);
                if (Peek.Is("("))
                {
                    Take();
                    var args = List(")");
                    return new CallNode(t.Text, args, t.Position);
                }
                return new IdentifierNode(t.Text, t.Position);
            case TokenKind.Operator when t.Text == "(":
                var inner = Expression();
                Expect(")");
                return inner;
            case TokenKind.Operator when t.Text == "[":
                return new ArrayNode(List("]"), t.Position);
            default:
                throw new ExpressionException($"unexpected {Describe(t)}", t.Position);
        }
    }

    private Node Postfix(Node target)
    {
        var depth = _depth;
        try { return PostfixChain(target); }
        finally { _depth = depth; }
    }

    private Node PostfixChain(Node target)
    {
        while (true)
        {
            var t = Peek;
            var optional = false;
            if (t.Is("?") && (_tokens[_next + 1].Is(".") || _tokens[_next + 1].Is("[")) && IsOptionalChain())
            {
                optional = true;
                Take();
                t = Peek;
            }
            if (t.Is("."))
            {
                Take();
                var name = Take();
                if (name.Kind != TokenKind.Identifier) throw new ExpressionException($"expected a field name after '.', got {Describe(name)}", name.Position);
                target = new MemberNode(target, name.Text, optional, t.Position);
            }
            else if (t.Is("["))
            {
                Take();
                var index = Expression();
                Expect("]");
                target = new IndexNode(target, index, optional, t.Position);
            }
            else if (optional) throw new ExpressionException("expected '.' or '[' after '?'", t.Position);
            else return target;
            Enter();
        }
    }

    /// <summary>"a?.b" is optional chaining, "a ? .5 : 1" is a conditional: a '?' followed by '.' and a name chains.</summary>
    private bool IsOptionalChain() => _tokens[_next + 1].Is("[") || _tokens[_next + 2].Kind == TokenKind.Identifier;

    private List<Node> List(string close)
    {
        var items = new List<Node>();
        if (Peek.Is(close)) { Take(); return items; }
        while (true)
        {
            items.Add(Expression());
            if (Peek.Is(",")) { Take(); if (Peek.Is(close)) { Take(); return items; } continue; }
            Expect(close);
            return items;
        }
    }

    private void Expect(string op)
    {
        var t = Take();
        if (!t.Is(op)) throw new ExpressionException($"expected '{op}', got {Describe(t)}", t.Position);
    }

    private void Enter()
    {
        if (++_depth > MaxDepth) throw new ExpressionException($"expression is nested more than {MaxDepth} levels deep", Peek.Position);
    }

    private static string Describe(Token t) => t.Kind switch
    {
        TokenKind.End => "end of expression",
        TokenKind.String => "string \"" + t.Text + "\"",
        _ => "'" + t.Text + "'",
    };
}
