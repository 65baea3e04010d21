using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>
/// Argo Rollouts' defaults (utils/defaults/defaults.go). maxSurge and maxUnavailable are the string "25", which
/// Argo resolves with the API machinery's deprecated GetValueFromIntOrPercent: any string is a percentage.
/// The scale-down delays of a canary only apply when traffic is weighted by a router (Argo: with trafficRouting);
/// with replica-count weights the old version is scaled down by the arithmetic itself.
/// </summary>
internal static class RolloutDefaults
{
    public const int Replicas = 1;
    public static readonly IntOrPercent MaxSurge = IntOrPercent.Percentage(25);
    public static readonly IntOrPercent MaxUnavailable = IntOrPercent.Percentage(25);
    public static readonly TimeSpan ProgressDeadline = TimeSpan.FromSeconds(600);
    public static readonly TimeSpan ScaleDownDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan AbortScaleDownDelay = TimeSpan.FromSeconds(30);
    public const bool AutoPromotionEnabled = true;
    public const int MaxTrafficWeight = 100;

    // AnalysisTemplate metrics (analysis/analysis.go, api types).
    public const int FailureLimit = 0;
    public const int InconclusiveLimit = 0;
    public const int ConsecutiveErrorLimit = 4;
    /// <summary>How soon a measurement that errored is retried (DefaultErrorRetryInterval).</summary>
    public static readonly TimeSpan ErrorRetryInterval = TimeSpan.FromSeconds(10);
    /// <summary>Measurements kept per metric (DefaultMeasurementHistoryLimit).</summary>
    public const int MeasurementHistoryLimit = 10;
    public const int WebTimeoutSeconds = 10;
    public const int PrometheusTimeoutSeconds = 30;
}
