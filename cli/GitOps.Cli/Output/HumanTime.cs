namespace GitOps.Cli.Output;

/// <summary>Docker's go-units HumanDuration and HumanSize, so tables read the same.</summary>
public static class Human
{
    public static string Duration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return $"{seconds} seconds";
        var minutes = (long)d.TotalMinutes;
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return $"{minutes} minutes";
        var hours = (long)Math.Round(d.TotalHours);
        if (hours == 1) return "About an hour";
        if (hours < 48) return $"{hours} hours";
        if (hours < 24 * 7 * 2) return $"{hours / 24} days";
        if (hours < 24 * 30 * 2) return $"{hours / 24 / 7} weeks";
        if (hours < 24 * 365 * 2) return $"{hours / 24 / 30} months";
        return $"{hours / 24 / 365} years";
    }

    public static string Ago(DateTimeOffset t) => Duration(DateTimeOffset.UtcNow - t) + " ago";

    /// <summary>Decimal units with 3-4 significant digits: 5.64MB, 1.1GB, 823kB.</summary>
    public static string Size(double bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        var i = 0;
        while (bytes >= 1000 && i < units.Length - 1) { bytes /= 1000; i++; }
        return $"{bytes.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}{units[i]}";
    }

    /// <summary>Docker's RAMInBytes: 16m, 1.5g, 512k, 1024 (binary units, optional b).</summary>
    public static long ParseBytes(string value, string what)
    {
        var v = value.Trim().ToLowerInvariant();
        if (v.EndsWith('b') && v.Length > 1 && !char.IsDigit(v[^2])) v = v[..^1];
        long multiplier = 1;
        if (v.Length > 0 && char.IsLetter(v[^1]))
        {
            multiplier = v[^1] switch
            {
                'b' => 1, 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, 't' => 1L << 40, 'p' => 1L << 50,
                _ => throw new FormatException($"invalid {what} \"{value}\": unknown unit '{v[^1]}' (use b, k, m, g, t or p)"),
            };
            v = v[..^1];
        }
        if (!double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 0)
            throw new FormatException($"invalid {what} \"{value}\": expected a size such as 512m or 1g");
        return (long)(n * multiplier);
    }
}
