using System.Globalization;

namespace GitOps.Reconciler.Yaml;

/// <summary>A scalar with its text and whether it was plain (only plain scalars can be numbers, booleans or null).</summary>
internal sealed class YScalar : YNode
{
    private ScalarKind? _kind;

    public YScalar(string value, bool plain, SourceMark mark, string path, string? tag = null) : base(mark, path, tag)
    {
        Value = value;
        Plain = plain;
    }

    public string Value { get; }

    public bool Plain { get; }

    public ScalarKind Kind => _kind ??= ScalarResolver.Resolve(this);

    public override long Size => 1;

    public bool IsNull => Kind == ScalarKind.Null;

    public override string TypeName => Kind switch
    {
        ScalarKind.Null => "null",
        ScalarKind.Bool => "boolean",
        ScalarKind.Int => "integer",
        ScalarKind.Float => "number",
        _ => "string",
    };

    /// <summary>A plain string made by the program (defaults, interpolation results) at a given mark.</summary>
    public static YScalar Text(string value, SourceMark mark, string path) => new(value, plain: false, mark, path);

    public YScalar WithValue(string value, bool plain) => new(value, plain, Mark, Path, Tag);

    public bool TryGetInt64(out long value)
    {
        value = 0;
        return Kind == ScalarKind.Int && ScalarResolver.TryParseInt(Value, out value);
    }

    public bool TryGetDouble(out double value)
    {
        value = 0;
        if (Kind == ScalarKind.Int && ScalarResolver.TryParseInt(Value, out var l)) { value = l; return true; }
        return Kind == ScalarKind.Float && ScalarResolver.TryParseFloat(Value, out value);
    }

    public bool TryGetBool(out bool value)
    {
        value = false;
        if (Kind != ScalarKind.Bool) return false;
        value = Value is "true" or "True" or "TRUE";
        return true;
    }

    public override string ToString() => Value;

    /// <summary>The text a consumer should use for a string-typed field; numbers keep their written form.</summary>
    public string AsText() => Kind == ScalarKind.Null ? "" : Value;

    internal static string Invariant(long v) => v.ToString(CultureInfo.InvariantCulture);
}
