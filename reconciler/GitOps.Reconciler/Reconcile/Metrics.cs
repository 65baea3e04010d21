using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace GitOps.Reconciler.Reconcile;

/// <summary>The reconciler's OpenTelemetry instruments (meter "GitOps.Reconciler").</summary>
internal static class Metrics
{
    public static readonly Meter Meter = new("GitOps.Reconciler");
    public static readonly Histogram<double> ReconcileDuration = Meter.CreateHistogram<double>("gitops.reconcile.duration", "s", "Time from trigger to converged, per reconcile that applied something");
    public static readonly Counter<long> ApplyFailures = Meter.CreateCounter<long>("gitops.apply.failures", description: "Reconciles that failed to load, validate or apply");
    static readonly ConcurrentDictionary<string, int> Drift = new(StringComparer.Ordinal);
    static readonly ConcurrentDictionary<string, string> Revisions = new(StringComparer.Ordinal);

    static Metrics()
    {
        Meter.CreateObservableGauge("gitops.drift.items", () => Drift.Select(kv => new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("app", kv.Key))),
            description: "Drift items found by the last check");
        // The revision is a label (a gauge of 1), the way Prometheus exporters show build info.
        Meter.CreateObservableGauge("gitops.app.last_applied_revision", () => Revisions.Select(kv => new Measurement<int>(1,
            new KeyValuePair<string, object?>("app", kv.Key), new KeyValuePair<string, object?>("revision", kv.Value))),
            description: "The last revision applied, as a label");
    }

    public static void SetDrift(string app, int count) => Drift[app] = count;

    public static void SetRevision(string app, string revision) => Revisions[app] = revision;

    public static void Forget(string app)
    {
        Drift.TryRemove(app, out _);
        Revisions.TryRemove(app, out _);
    }
}
