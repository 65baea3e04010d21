namespace GitOps.Reconciler.Yaml;

/// <summary>
/// An immutable YAML node that remembers where it came from. Interpolation, merges and extends build new
/// trees but keep the marks of the nodes they copy, so an error after a merge still points at the file and
/// line the value was written in.
/// </summary>
internal abstract class YNode
{
    protected YNode(SourceMark mark, string path, string? tag)
    {
        Mark = mark;
        Path = path;
        Tag = tag;
    }

    public SourceMark Mark { get; }

    /// <summary>Path inside the document the node was read from.</summary>
    public string Path { get; }

    /// <summary>Explicit tag (<c>!reset</c>, <c>!override</c>, <c>tag:yaml.org,2002:str</c>...), or null.</summary>
    public string? Tag { get; }

    /// <summary>Nodes in this subtree; bounds the cost of alias expansion ("billion laughs").</summary>
    public abstract long Size { get; }

    public bool HasTag(string tag) => string.Equals(Tag, tag, StringComparison.Ordinal);

    /// <summary>A short human name of the node's type, for "expected a mapping, got a sequence".</summary>
    public abstract string TypeName { get; }
}
