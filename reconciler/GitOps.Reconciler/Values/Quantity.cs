using System.Globalization;

namespace GitOps.Reconciler.Values;

/// <summary>
/// Kubernetes resource quantities: binary (Ki, Mi, Gi, Ti, Pi, Ei) and decimal (n, u, m, k, M, G, T, P, E)
/// suffixes or an exponent ("1e3"). Memory becomes bytes (rounded up, as the API server does), CPU
/// becomes nano-CPUs ("100m" = 0.1 CPU = 10^8).
/// </summary>
internal static class Quantity
{
    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        var s = text.Trim();
        if (s.Length == 0) return false;
        var end = 0;
        if (s[0] is '+' or '-') end = 1;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        if (!decimal.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) return false;
        var suffix = s[end..];
        decimal multiplier;
        if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && int.TryParse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent))
        {
            if (exponent is < -18 or > 18) return false;
            multiplier = exponent >= 0 ? Pow(10m, exponent) : 1m / Pow(10m, -exponent);
        }
        else
        {
            multiplier = suffix switch
            {
                "" => 1m,
                "n" => 0.000000001m,
                "u" => 0.000001m,
                "m" => 0.001m,
                "k" => 1_000m,
                "M" => 1_000_000m,
                "G" => 1_000_000_000m,
                "T" => 1_000_000_000_000m,
                "P" => 1_000_000_000_000_000m,
                "E" => 1_000_000_000_000_000_000m,
                "Ki" => 1024m,
                "Mi" => Pow(1024m, 2),
                "Gi" => Pow(1024m, 3),
                "Ti" => Pow(1024m, 4),
                "Pi" => Pow(1024m, 5),
                "Ei" => Pow(1024m, 6),
                _ => -1m,
            };
            if (multiplier < 0) return false;
        }
        try
        {
            value = number * multiplier;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        if (!TryParse(text, out var v) || v < 0 || v > long.MaxValue) return false;
        bytes = (long)decimal.Ceiling(v);
        return true;
    }

    public static bool TryParseNanoCpus(string text, out long nanoCpus)
    {
        nanoCpus = 0;
        if (!TryParse(text, out var v) || v < 0 || v > long.MaxValue / 1_000_000_000m) return false;
        nanoCpus = (long)decimal.Ceiling(v * 1_000_000_000m);
        return true;
    }

    private static decimal Pow(decimal b, int e)
    {
        var r = 1m;
        for (var i = 0; i < e; i++) r *= b;
        return r;
    }
}
