namespace GitOps.Reconciler.Rollouts.Analysis.Expressions;

/// <summary>The syntax tree of a condition. Each node keeps its position for error messages.</summary>
internal abstract record Node(int Position);

internal sealed record LiteralNode(object? Value, int Position) : Node(Position);

internal sealed record IdentifierNode(string Name, int Position) : Node(Position);

internal sealed record MemberNode(Node Target, string Name, bool Optional, int Position) : Node(Position);

internal sealed record IndexNode(Node Target, Node Index, bool Optional, int Position) : Node(Position);

internal sealed record CallNode(string Name, IReadOnlyList<Node> Args, int Position) : Node(Position);

internal sealed record UnaryNode(string Operator, Node Operand, int Position) : Node(Position);

internal sealed record BinaryNode(string Operator, Node Left, Node Right, int Position) : Node(Position);

internal sealed record ConditionalNode(Node Condition, Node WhenTrue, Node WhenFalse, int Position) : Node(Position);

internal sealed record ArrayNode(IReadOnlyList<Node> Items, int Position) : Node(Position);
