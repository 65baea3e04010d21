namespace GitOps.Reconciler.Yaml;

/// <summary>Small helpers to build changed copies of immutable trees (the trees are shared, never mutated).</summary>
internal static class YTree
{
    public static YMapping Set(YMapping map, string key, YNode value)
    {
        var entries = new List<YEntry>(map.Count + 1);
        var replaced = false;
        foreach (var e in map.Entries)
        {
            if (e.Key.Value == key) { entries.Add(e with { Value = value }); replaced = true; }
            else entries.Add(e);
        }
        if (!replaced) entries.Add(new YEntry(YScalar.Text(key, value.Mark, map.Path), value));
        return map.WithEntries(entries);
    }

    public static YMapping Remove(YMapping map, string key) =>
        map.ContainsKey(key) ? map.WithEntries([.. map.Entries.Where(e => e.Key.Value != key)]) : map;

    public static YMapping EmptyMapping(SourceMark mark, string path) => new([], mark, path);

    /// <summary>Rebuilds every scalar value (not keys) through <paramref name="rewrite"/>; unchanged subtrees are reused.</summary>
    public static YNode MapScalars(YNode node, Func<YScalar, YScalar> rewrite) => node switch
    {
        YScalar s => rewrite(s),
        YSequence seq => MapSequence(seq, rewrite),
        YMapping map => MapMapping(map, rewrite),
        _ => node,
    };

    private static YNode MapSequence(YSequence seq, Func<YScalar, YScalar> rewrite)
    {
        List<YNode>? items = null;
        for (var i = 0; i < seq.Count; i++)
        {
            var n = MapScalars(seq.Items[i], rewrite);
            if (items is null && !ReferenceEquals(n, seq.Items[i])) items = [.. seq.Items.Take(i)];
            items?.Add(n);
        }
        return items is null ? seq : seq.WithItems(items);
    }

    private static YNode MapMapping(YMapping map, Func<YScalar, YScalar> rewrite)
    {
        List<YEntry>? entries = null;
        for (var i = 0; i < map.Count; i++)
        {
            var e = map.Entries[i];
            var n = MapScalars(e.Value, rewrite);
            if (entries is null && !ReferenceEquals(n, e.Value)) entries = [.. map.Entries.Take(i)];
            entries?.Add(ReferenceEquals(n, e.Value) ? e : e with { Value = n });
        }
        return entries is null ? map : map.WithEntries(entries);
    }
}
