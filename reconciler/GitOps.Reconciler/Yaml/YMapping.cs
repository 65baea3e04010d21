namespace GitOps.Reconciler.Yaml;

/// <summary>A mapping that keeps its written order (for output) and finds keys by ordinal comparison.</summary>
internal sealed class YMapping : YNode
{
    private readonly Dictionary<string, int> _index;

    public YMapping(IReadOnlyList<YEntry> entries, SourceMark mark, string path, string? tag = null) : base(mark, path, tag)
    {
        Entries = entries;
        _index = new Dictionary<string, int>(entries.Count, StringComparer.Ordinal);
        long size = 1;
        for (var i = 0; i < entries.Count; i++)
        {
            // Last one wins: callers that must reject duplicates (the reader) check before building.
            _index[entries[i].Key.Value] = i;
            size += 1 + entries[i].Value.Size;
        }
        Size = size;
    }

    public IReadOnlyList<YEntry> Entries { get; }

    public override long Size { get; }

    public int Count => Entries.Count;

    public override string TypeName => "mapping";

    public YNode? this[string key] => _index.TryGetValue(key, out var i) ? Entries[i].Value : null;

    public YEntry? Entry(string key) => _index.TryGetValue(key, out var i) ? Entries[i] : null;

    public bool ContainsKey(string key) => _index.ContainsKey(key);

    public IEnumerable<string> Keys => Entries.Select(e => e.Key.Value);

    public YMapping WithEntries(IReadOnlyList<YEntry> entries) => new(entries, Mark, Path, Tag);

    /// <summary>A copy without the tag (after <c>!override</c>/<c>!reset</c> have been applied).</summary>
    public YMapping Untagged() => Tag is null ? this : new YMapping(Entries, Mark, Path, null);
}
