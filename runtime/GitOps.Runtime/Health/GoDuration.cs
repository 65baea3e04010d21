using System.Globalization;

namespace GitOps.Runtime.Health;

/// <summary>Go's time.Duration.String ("500ms", "1.5s", "1m30s", "1h0m0s"): Docker prints the probe timeout so.</summary>
internal static class GoDuration
{
    public static string Format(TimeSpan d)
    {
        if (d == TimeSpan.Zero) return "0s";
        if (d < TimeSpan.FromSeconds(1))
        {
            var ns = d.Ticks * 100;
            return ns >= 1_000_000 ? Trim(ns / 1e6) + "ms" : ns >= 1_000 ? Trim(ns / 1e3) + "µs" : ns + "ns";
        }
        var hours = (long)d.TotalHours;
        var minutes = d.Minutes;
        var seconds = Trim(d.Seconds + (d.Ticks % TimeSpan.TicksPerSecond) / (double)TimeSpan.TicksPerSecond) + "s";
        return hours > 0 ? $"{hours}h{minutes}m{seconds}" : minutes > 0 ? $"{minutes}m{seconds}" : seconds;
    }

    static string Trim(double v) => v.ToString("0.#########", CultureInfo.InvariantCulture);
}
