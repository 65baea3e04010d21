using System.Globalization;

namespace GitOps.Reconciler.Values;

/// <summary>
/// Byte sizes as Compose writes them (docker/go-units RAMInBytes): a number with an optional b, k, m, g, t or p
/// suffix, optionally followed by "b" or "ib", case-insensitive, powers of 1024: "512m", "1.5GB", "10000".
/// </summary>
internal static class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim().ToLowerInvariant();
        if (s.Length == 0) return false;
        var end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        if (end == 0) return false;
        if (!decimal.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
        var unit = s[end..].Trim();
        if (unit.EndsWith("ib", StringComparison.Ordinal)) unit = unit[..^2];
        else if (unit.Length == 2 && unit[1] == 'b') unit = unit[..1];
        decimal multiplier = unit switch
        {
            "" or "b" => 1m,
            "k" => 1024m,
            "m" => 1024m * 1024,
            "g" => 1024m * 1024 * 1024,
            "t" => 1024m * 1024 * 1024 * 1024,
            "p" => 1024m * 1024 * 1024 * 1024 * 1024,
            _ => -1m,
        };
        if (multiplier < 0) return false;
        try
        {
            var total = decimal.Truncate(number * multiplier);
            if (total > long.MaxValue) return false;
            bytes = (long)total;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }
}
