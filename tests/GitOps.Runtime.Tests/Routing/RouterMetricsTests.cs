using GitOps.Runtime.Networking.Http;

namespace GitOps.Runtime.Tests.Routing;

/// <summary>The http router's metrics per version: status classes, rates and percentiles over a window of seconds.</summary>
public sealed class RouterMetricsTests
{
    long _now = 1_000_000;

    RouterMetrics New() => new(() => _now);

    [Fact]
    public void Counts_rates_and_classes_per_service_and_version()
    {
        var m = New();
        for (var i = 0; i < 95; i++) m.Record("web", "stable", StatusClass.Success, 0.010);
        for (var i = 0; i < 3; i++) m.Record("web", "stable", StatusClass.ServerError, 0.010);
        m.Record("web", "stable", StatusClass.Error, 0.010);
        m.Record("web", "stable", StatusClass.ClientError, 0.010);
        for (var i = 0; i < 10; i++) m.Record("web", "canary", StatusClass.ServerError, 0.5);

        var snapshot = m.Snapshot(TimeSpan.FromMinutes(1));
        Assert.Equal(["canary", "stable"], snapshot.Select(v => v.Version));
        var stable = snapshot[1];
        Assert.Equal(100, stable.Requests);
        Assert.Equal(new Dictionary<string, long> { ["2xx"] = 95, ["4xx"] = 1, ["5xx"] = 3, ["error"] = 1 }, stable.StatusClasses);
        Assert.Equal(0.96, stable.SuccessRate!.Value, 6); // 4xx is the client's: served
        Assert.Equal(0.04, stable.ErrorRate!.Value, 6);
        Assert.Equal(0, snapshot[0].SuccessRate);
        Assert.Equal(1, snapshot[0].ErrorRate);
    }

    [Fact]
    public void Percentiles_are_read_within_the_histograms_resolution()
    {
        var m = New();
        for (var i = 1; i <= 1000; i++) m.Record("web", "v", StatusClass.Success, i / 1000.0); // 1 ms .. 1 s, uniform
        var v = Assert.Single(m.Snapshot(TimeSpan.FromSeconds(10)));
        Assert.InRange(v.P50Ms!.Value, 450, 550);
        Assert.InRange(v.P95Ms!.Value, 855, 1045);
        Assert.InRange(v.P99Ms!.Value, 891, 1089);
        Assert.True(v.P50Ms < v.P95Ms && v.P95Ms <= v.P99Ms);
    }

    [Fact]
    public void A_window_counts_only_its_seconds_and_old_seconds_are_forgotten()
    {
        var m = New();
        m.Record("web", "v", StatusClass.Success, 0.001);
        _now += 30;
        m.Record("web", "v", StatusClass.ServerError, 0.001);
        Assert.Equal(1, Assert.Single(m.Snapshot(TimeSpan.FromSeconds(10))).Requests);
        Assert.Equal(2, Assert.Single(m.Snapshot(TimeSpan.FromMinutes(1))).Requests);

        // Past the retention a slot is reused: the ring never mixes seconds.
        _now += RouterMetrics.RetentionSeconds;
        m.Record("web", "v", StatusClass.Success, 0.001);
        var v = Assert.Single(m.Snapshot(TimeSpan.FromHours(1)));
        Assert.Equal(1, v.Requests);
        Assert.Equal(1, v.SuccessRate);
        // Nothing in the window: the version is left out rather than reported with no rate.
        _now += 120;
        Assert.Empty(m.Snapshot(TimeSpan.FromMinutes(1)));
    }

    [Theory]
    [InlineData(0.00005)]
    [InlineData(0.0001)]
    [InlineData(0.0123)]
    [InlineData(1.5)]
    [InlineData(1000.0)]
    public void A_latency_falls_in_a_bucket_whose_bounds_contain_it(double seconds)
    {
        var counts = new long[LatencyHistogram.Buckets];
        counts[LatencyHistogram.BucketOf(seconds)] = 1;
        var median = LatencyHistogram.Quantile(counts, 0.5)!.Value;
        if (seconds < 120) Assert.InRange(median, seconds / 1.2, seconds * 1.2);
        Assert.Null(LatencyHistogram.Quantile(new long[LatencyHistogram.Buckets], 0.5));
    }
}
