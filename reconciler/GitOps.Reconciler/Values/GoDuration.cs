using System.Globalization;
using System.Text;

namespace GitOps.Reconciler.Values;

/// <summary>
/// Durations as Compose and Swarm write them, in Go's <c>time.ParseDuration</c> syntax ("1m30s", "1.5s",
/// "500ms", "2h"), and one canonical spelling for output and hashing ("90s" and "1m30s" are the same).
/// </summary>
internal static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0) return false;
        var negative = false;
        if (s[0] is '-' or '+') { negative = s[0] == '-'; s = s[1..]; }
        if (s == "0") return true;
        if (s.Length == 0) return false;
        decimal totalNs = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (i == start) return false;
            if (!decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.') i++;
            decimal ns = s[unitStart..i] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60m * 1_000_000_000m,
                "h" => 3600m * 1_000_000_000m,
                _ => -1m,
            };
            if (ns < 0) return false;
            try { totalNs += number * ns; }
            catch (OverflowException) { return false; }
        }
        // TimeSpan has 100 ns ticks; sub-tick durations round down (no manifest needs them).
        var ticks = totalNs / 100m;
        if (ticks > TimeSpan.MaxValue.Ticks) return false;
        value = TimeSpan.FromTicks((long)decimal.Truncate(ticks));
        if (negative) value = -value;
        return true;
    }

    /// <summary>Canonical form: components without zeros, largest first: "1h30m", "1m30s", "1s500ms", "0s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero) return "0s";
        var sb = new StringBuilder();
        if (value < TimeSpan.Zero) { sb.Append('-'); value = -value; }
        var ticks = value.Ticks;
        Append(sb, ref ticks, TimeSpan.TicksPerHour, "h");
        Append(sb, ref ticks, TimeSpan.TicksPerMinute, "m");
        Append(sb, ref ticks, TimeSpan.TicksPerSecond, "s");
        Append(sb, ref ticks, TimeSpan.TicksPerMillisecond, "ms");
        Append(sb, ref ticks, TimeSpan.TicksPerMicrosecond, "us");
        if (ticks > 0) sb.Append((ticks * 100).ToString(CultureInfo.InvariantCulture)).Append("ns");
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, ref long ticks, long unit, string suffix)
    {
        var n = ticks / unit;
        if (n == 0) return;
        sb.Append(n.ToString(CultureInfo.InvariantCulture)).Append(suffix);
        ticks -= n * unit;
    }
}
