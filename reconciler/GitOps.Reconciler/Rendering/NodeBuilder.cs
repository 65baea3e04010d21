using System.Globalization;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rendering;

/// <summary>
/// Builds the mapping of one rendered object. Nulls, empty collections and false flags are left out (the
/// reader restores them), everything else is written, so one model has exactly one rendering.
/// </summary>
internal sealed class NodeBuilder
{
    private readonly List<YEntry> _entries = [];

    public NodeBuilder Node(string key, YNode? value)
    {
        if (value is null) return this;
        if (value is YMapping { Count: 0 } or YSequence { Count: 0 }) return this;
        _entries.Add(new YEntry(Text(key), value));
        return this;
    }

    public NodeBuilder Str(string key, string? value) => value is null ? this : Node(key, Text(value));

    public NodeBuilder Int(string key, long? value) => value is null ? this : Node(key, Number(value.Value));

    public NodeBuilder Double(string key, double value) =>
        Node(key, new YScalar(value.ToString("R", CultureInfo.InvariantCulture), plain: true, SourceMark.None, ""));

    public NodeBuilder Bool(string key, bool value) => value ? Node(key, new YScalar("true", plain: true, SourceMark.None, "")) : this;

    public NodeBuilder Duration(string key, TimeSpan value) => Str(key, GoDuration.Format(value));

    public NodeBuilder Enum<T>(string key, T value) where T : struct, System.Enum => Str(key, EnumText.Of(value));

    public NodeBuilder Strings(string key, IEnumerable<string>? values) => values is null ? this : Node(key, List(values.Select(v => (YNode)Text(v))));

    /// <summary>A list that is written even when empty: an explicit empty command differs from "the image's".</summary>
    public NodeBuilder OptionalStrings(string key, ValueList<string>? values) =>
        values is null ? this : AddRaw(key, List(values.Value.Select(v => (YNode)Text(v))));

    public NodeBuilder Map(string key, ValueMap<string> map) => Node(key, StringMap(map));

    public NodeBuilder Objects<T>(string key, IEnumerable<T> items, Func<T, YNode> write) => Node(key, List(items.Select(write)));

    public NodeBuilder ObjectMap<T>(string key, ValueMap<T> map, Func<T, YNode> write) =>
        Node(key, new YMapping([.. map.Select(kv => new YEntry(Text(kv.Key), write(kv.Value)))], SourceMark.None, ""));

    public YMapping Build() => new(_entries, SourceMark.None, "");

    public static YScalar Text(string value) => new(value, plain: false, SourceMark.None, "");

    public static YScalar Number(long value) => new(value.ToString(CultureInfo.InvariantCulture), plain: true, SourceMark.None, "");

    public static YSequence List(IEnumerable<YNode> items) => new([.. items], SourceMark.None, "");

    public static YMapping StringMap(ValueMap<string> map) =>
        new([.. map.Select(kv => new YEntry(Text(kv.Key), Text(kv.Value)))], SourceMark.None, "");

    private NodeBuilder AddRaw(string key, YNode value)
    {
        _entries.Add(new YEntry(Text(key), value));
        return this;
    }
}
