using System.Collections.Concurrent;

namespace GitOps.Runtime.Networking.Http;

/// <summary>
/// Request counts by status class and latency histograms of one http router, per (service, version),
/// kept per second for the last <see cref="RetentionSeconds"/>: any window up to that is answered
/// exactly (counts) or to the histogram's resolution (percentiles). In memory only; a restarted
/// daemon starts from zero, as Prometheus counters do.
/// </summary>
public sealed class RouterMetrics
{
    public const int RetentionSeconds = 900;

    readonly ConcurrentDictionary<(string Service, string Version), Series> _series = new();
    readonly Func<long> _clock;

    /// <param name="clock">Seconds since the epoch (tests pass their own).</param>
    public RouterMetrics(Func<long>? clock = null) => _clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    public void Record(string service, string version, StatusClass status, double seconds) =>
        _series.GetOrAdd((service, version), _ => new Series()).Record(_clock(), status, seconds);

    /// <summary>The last <paramref name="window"/> (at most <see cref="RetentionSeconds"/>), current second included.</summary>
    public List<VersionMetrics> Snapshot(TimeSpan window)
    {
        var now = _clock();
        var seconds = (int)Math.Clamp(Math.Ceiling(window.TotalSeconds), 1, RetentionSeconds);
        var result = new List<VersionMetrics>();
        foreach (var ((service, version), series) in _series.OrderBy(kv => kv.Key.Service, StringComparer.Ordinal).ThenBy(kv => kv.Key.Version, StringComparer.Ordinal))
        {
            var (classes, histogram) = series.Sum(now, seconds);
            var total = classes.Sum();
            if (total == 0) continue;
            var failed = classes[(int)StatusClass.ServerError] + classes[(int)StatusClass.Error];
            result.Add(new VersionMetrics
            {
                Service = service, Version = version, Requests = total,
                StatusClasses = StatusClasses.Names.Select((n, i) => (n, classes[i])).Where(x => x.Item2 > 0).ToDictionary(x => x.n, x => x.Item2),
                SuccessRate = (double)(total - failed) / total,
                ErrorRate = (double)failed / total,
                P50Ms = Ms(LatencyHistogram.Quantile(histogram, 0.50)),
                P95Ms = Ms(LatencyHistogram.Quantile(histogram, 0.95)),
                P99Ms = Ms(LatencyHistogram.Quantile(histogram, 0.99)),
            });
        }
        return result;
    }

    static double? Ms(double? seconds) => seconds is { } s ? Math.Round(s * 1000, 3) : null;

    /// <summary>A ring of per-second slots; a slot is reused when its second has left the retention.</summary>
    sealed class Series
    {
        readonly Lock _gate = new();
        readonly Slot?[] _ring = new Slot?[RetentionSeconds];

        public void Record(long second, StatusClass status, double seconds)
        {
            var bucket = LatencyHistogram.BucketOf(seconds);
            lock (_gate)
            {
                ref var slot = ref _ring[second % RetentionSeconds];
                if (slot is null) slot = new Slot(second);
                else if (slot.Second != second) slot.Reset(second);
                slot.Classes[(int)status]++;
                slot.Histogram[bucket]++;
            }
        }

        public (long[] Classes, long[] Histogram) Sum(long now, int seconds)
        {
            var classes = new long[StatusClasses.Names.Length];
            var histogram = new long[LatencyHistogram.Buckets];
            lock (_gate)
            {
                foreach (var slot in _ring)
                {
                    if (slot is null || slot.Second > now || slot.Second <= now - seconds) continue;
                    for (var i = 0; i < classes.Length; i++) classes[i] += slot.Classes[i];
                    for (var i = 0; i < histogram.Length; i++) histogram[i] += slot.Histogram[i];
                }
            }
            return (classes, histogram);
        }
    }

    sealed class Slot(long second)
    {
        public long Second { get; private set; } = second;
        public long[] Classes { get; } = new long[StatusClasses.Names.Length];
        public long[] Histogram { get; } = new long[LatencyHistogram.Buckets];

        public void Reset(long second)
        {
            Second = second;
            Array.Clear(Classes);
            Array.Clear(Histogram);
        }
    }
}

/// <summary>One version's requests over a window: what an analysis reads (Argo's success rate, error rate, latency).</summary>
public sealed record VersionMetrics
{
    public required string Service { get; init; }
    public required string Version { get; init; }
    public long Requests { get; init; }
    /// <summary>Counts by 1xx, 2xx, 3xx, 4xx, 5xx and error (no response from the backend); classes without requests are left out.</summary>
    public Dictionary<string, long> StatusClasses { get; init; } = [];
    /// <summary>Requests that got neither a 5xx nor a connection error, over all (4xx are the client's, so they count as served).</summary>
    public double? SuccessRate { get; init; }
    public double? ErrorRate { get; init; }
    public double? P50Ms { get; init; }
    public double? P95Ms { get; init; }
    public double? P99Ms { get; init; }
}

/// <summary>A router's per-version metrics over a window, as the engine API and `router inspect` give them.</summary>
public sealed record RouterMetricsReport
{
    public required string Router { get; init; }
    public double WindowSeconds { get; init; }
    public List<VersionMetrics> Versions { get; init; } = [];
}
