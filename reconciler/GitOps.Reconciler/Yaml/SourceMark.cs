namespace GitOps.Reconciler.Yaml;

/// <summary>Where a node starts: the file as the user named it, 1-based line and column as editors show them.</summary>
internal readonly record struct SourceMark(string File, int Line, int Column)
{
    /// <summary>For nodes the program made (rendered output, defaults): no position to point at.</summary>
    public static readonly SourceMark None = new("", 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
