using GitOps.Reconciler.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rendering;

/// <summary>
/// Reads one mapping of a desired-state document field by field and, when done, reports the fields nobody
/// asked for: a typo in a hand-edited desired state is an error, not a silently lost setting.
/// </summary>
internal sealed class StrictObject
{
    private readonly YMapping _map;
    private readonly NodeReader _r;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private StrictObject(YMapping map, NodeReader r)
    {
        _map = map;
        _r = r;
    }

    public YMapping Node => _map;

    public static StrictObject? Of(YNode? node, NodeReader r) => r.Mapping(node) is { } m ? new StrictObject(m, r) : null;

    public YNode? this[string key]
    {
        get
        {
            _used.Add(key);
            return _map[key];
        }
    }

    public string? Str(string key) => _r.String(this[key]);

    public string RequiredStr(string key)
    {
        var v = Str(key);
        if (v is null) _r.Error(_map, $"missing required field '{key}'", "state.required");
        return v ?? "";
    }

    public long? Long(string key, long min = long.MinValue) => _r.Long(this[key], min);

    public int? Int(string key, int min = int.MinValue) => _r.Int(this[key], min);

    public bool Bool(string key) => _r.Bool(this[key]) ?? false;

    public double Double(string key) => _r.Double(this[key]) ?? 0;

    public TimeSpan Duration(string key) => _r.Duration(this[key]) ?? TimeSpan.Zero;

    public T Enum<T>(string key, T fallback) where T : struct, System.Enum
    {
        var node = this[key];
        if (node is not YScalar { IsNull: false } s) return fallback;
        if (EnumText.TryParse<T>(s.Value, out var v)) return v;
        _r.Error(s, $"expected one of {EnumText.Names<T>()}, got \"{s.Value}\"", "manifest.enum");
        return fallback;
    }

    public ValueList<string> Strings(string key) => [.. _r.StringList(this[key]) ?? []];

    public ValueList<string>? OptionalStrings(string key) => _r.StringList(this[key]) is { } l ? new ValueList<string>(l) : null;

    public ValueMap<string> Map(string key) => new(_r.StringMap(this[key]) ?? []);

    public List<StrictObject> Objects(string key)
    {
        var result = new List<StrictObject>();
        foreach (var item in _r.Sequence(this[key])?.Items ?? [])
            if (Of(item, _r) is { } o) result.Add(o);
        return result;
    }

    public List<(string Key, YEntry Entry, StrictObject Value)> ObjectMap(string key)
    {
        var result = new List<(string, YEntry, StrictObject)>();
        foreach (var e in _r.Mapping(this[key])?.Entries ?? [])
            if (Of(e.Value, _r) is { } o) result.Add((e.Key.Value, e, o));
        return result;
    }

    public StrictObject? Object(string key) => Of(this[key], _r);

    /// <summary>Reports every field that was never read.</summary>
    public void Done()
    {
        foreach (var e in _map.Entries)
            if (!_used.Contains(e.Key.Value)) _r.Error(e.Key, $"unknown field '{e.Key.Value}'", "state.unknown-field");
    }

    public IntOrPercent IntOrPercentOf(string key)
    {
        var node = this[key];
        if (node is YScalar { IsNull: false } s && IntOrPercent.TryParse(s.Value, out var v)) return v;
        if (node is not null) _r.Error(node, "expected a count or a percentage such as 25%", "manifest.value");
        return default;
    }

    public int? Mode(string key)
    {
        var node = this[key];
        if (node is not YScalar { IsNull: false } s) return null;
        try
        {
            var v = Convert.ToInt32(s.Value, 8);
            if (v is >= 0 and <= 0xFFF) return v;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
        }
        _r.Error(s, "expected an octal file mode such as 0444", "manifest.mode");
        return null;
    }

    public TimeSpan? OptionalDuration(string key) => this[key] is { } n ? _r.Duration(n) : null;

    public static bool IsDuration(string text) => GoDuration.TryParse(text, out _);
}
