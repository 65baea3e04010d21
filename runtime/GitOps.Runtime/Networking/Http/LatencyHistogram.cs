namespace GitOps.Runtime.Networking.Http;

/// <summary>
/// Fixed log-spaced latency buckets (each 20 % wider than the last, from 0.1 ms to about 2 minutes), so
/// histograms of different seconds add up and a percentile is read with at most ~10 % error — enough
/// to compare a canary's p99 with stable's, and a few hundred bytes per second of traffic.
/// </summary>
public static class LatencyHistogram
{
    const double First = 0.0001, Factor = 1.2;
    public static readonly int Buckets = (int)Math.Ceiling(Math.Log(120 / First) / Math.Log(Factor)) + 2;

    /// <summary>Bucket 0 is below 0.1 ms; bucket i covers [First·Factor^(i-1), First·Factor^i).</summary>
    public static int BucketOf(double seconds)
    {
        if (seconds < First) return 0;
        var i = (int)Math.Floor(Math.Log(seconds / First) / Math.Log(Factor)) + 1;
        return Math.Min(i, Buckets - 1);
    }

    static double Lower(int bucket) => bucket == 0 ? 0 : First * Math.Pow(Factor, bucket - 1);
    static double Upper(int bucket) => First * Math.Pow(Factor, bucket);

    /// <summary>The q-quantile (0..1) in seconds, interpolated inside its bucket; null without samples.</summary>
    public static double? Quantile(long[] counts, double q)
    {
        long total = 0;
        foreach (var c in counts) total += c;
        if (total == 0) return null;
        var rank = q * total;
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0) continue;
            if (seen + counts[i] >= rank)
            {
                var within = (rank - seen) / counts[i];
                return Lower(i) + (Upper(i) - Lower(i)) * Math.Clamp(within, 0, 1);
            }
            seen += counts[i];
        }
        return Upper(counts.Length - 1);
    }
}
