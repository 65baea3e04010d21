using System.Globalization;
using System.Text.RegularExpressions;

namespace GitOps.Reconciler.Yaml;

/// <summary>
/// Resolves plain scalars by the YAML 1.2 core schema, as Go's yaml.v3 (compose-go) does: only
/// <c>true/false</c> are booleans (not <c>yes/on</c>), <c>~</c>/<c>null</c>/empty are null, and integers are read
/// with Go's base prefix rules (<c>0x1F</c>, <c>0o17</c>, and a leading zero is octal, so <c>mode: 0440</c> is 288).
/// Quoted scalars are always strings.
/// </summary>
internal static partial class ScalarResolver
{
    private const string Core = "tag:yaml.org,2002:";

    public static ScalarKind Resolve(YScalar scalar)
    {
        switch (scalar.Tag)
        {
            case Core + "str": return ScalarKind.String;
            case Core + "null": return ScalarKind.Null;
            case Core + "bool": return ScalarKind.Bool;
            case Core + "int": return ScalarKind.Int;
            case Core + "float": return ScalarKind.Float;
            case "!": return ScalarKind.String;
        }
        return scalar.Plain ? ResolvePlain(scalar.Value) : ScalarKind.String;
    }

    public static ScalarKind ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return ScalarKind.Null;
            case "true" or "True" or "TRUE" or "false" or "False" or "FALSE": return ScalarKind.Bool;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF"
                or ".nan" or ".NaN" or ".NAN": return ScalarKind.Float;
        }
        var c = text[0];
        if (!(char.IsAsciiDigit(c) || c is '-' or '+' or '.')) return ScalarKind.String;
        if (IntPattern().IsMatch(text)) return TryParseInt(text, out _) ? ScalarKind.Int : ScalarKind.Float;
        if (FloatPattern().IsMatch(text)) return ScalarKind.Float;
        return ScalarKind.String;
    }

    public static bool TryParseInt(string text, out long value)
    {
        value = 0;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+')) { negative = s[0] == '-'; s = s[1..]; }
        if (s.IsEmpty) return false;
        bool ok;
        ulong magnitude;
        if (s.Length > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
            ok = ulong.TryParse(s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude);
        else if (s.Length > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
            ok = TryParseOctal(s[2..], out magnitude);
        else if (s.Length > 1 && s[0] == '0')
            ok = TryParseOctal(s[1..], out magnitude);
        else
            ok = ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude);
        if (!ok) return false;
        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1) return false;
            value = magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude;
            return true;
        }
        if (magnitude > long.MaxValue) return false;
        value = (long)magnitude;
        return true;
    }

    public static bool TryParseFloat(string text, out double value)
    {
        switch (text)
        {
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF": value = double.PositiveInfinity; return true;
            case "-.inf" or "-.Inf" or "-.INF": value = double.NegativeInfinity; return true;
            case ".nan" or ".NaN" or ".NAN": value = double.NaN; return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryParseOctal(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty) return false;
        foreach (var d in digits)
        {
            if (d < '0' || d > '7') return false;
            if (value > (ulong.MaxValue >> 3)) return false;
            value = (value << 3) | (uint)(d - '0');
        }
        return true;
    }

    // Decimal, 0x hex, 0o octal, and Go's legacy leading-zero octal; a failed parse ("09") makes it a float like Go.
    [GeneratedRegex(@"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|[0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
