namespace GitOps.Reconciler.Model;

/// <summary>
/// A health, liveness or startup check with its timing. A Compose healthcheck's <c>retries</c> is the
/// failure threshold; <c>start_period</c> is a grace period in which failures do not count, while Kubernetes'
/// <c>initialDelaySeconds</c> delays the first check: both are kept, they are not the same thing.
/// </summary>
internal sealed record Probe(
    ProbeAction Action,
    TimeSpan InitialDelay,
    TimeSpan Interval,
    TimeSpan Timeout,
    int SuccessThreshold,
    int FailureThreshold,
    TimeSpan StartPeriod,
    TimeSpan StartInterval);
