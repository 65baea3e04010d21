namespace GitOps.Reconciler.Yaml;

/// <summary>A sequence of nodes.</summary>
internal sealed class YSequence : YNode
{
    public YSequence(IReadOnlyList<YNode> items, SourceMark mark, string path, string? tag = null) : base(mark, path, tag)
    {
        Items = items;
        long size = 1;
        foreach (var item in items) size += item.Size;
        Size = size;
    }

    public IReadOnlyList<YNode> Items { get; }

    public override long Size { get; }

    public int Count => Items.Count;

    public override string TypeName => "sequence";

    public YSequence WithItems(IReadOnlyList<YNode> items) => new(items, Mark, Path, Tag);

    public YSequence Untagged() => Tag is null ? this : new YSequence(Items, Mark, Path, null);
}
