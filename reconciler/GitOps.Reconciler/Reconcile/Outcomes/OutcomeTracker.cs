namespace GitOps.Reconciler.Reconcile.Outcomes;

/// <summary>
/// The status fields an outcome sets: which outcome, how many transient failures in a row, and when the application
/// is looked at again without waiting for its next poll (a transient failure's back-off, a wait on health).
/// </summary>
internal static class OutcomeTracker
{
    /// <summary>How soon an application waiting on health is looked at again.</summary>
    public static readonly TimeSpan WaitingRequeue = TimeSpan.FromSeconds(5);

    public static AppStatus Record(AppStatus status, ReconcileOutcome outcome, DateTimeOffset now, Backoff backoff, double random)
    {
        switch (outcome)
        {
            case ReconcileOutcome.Transient:
                var attempts = status.Outcome == ReconcileOutcome.Transient ? (status.Attempts ?? 0) + 1 : 1;
                return status with { Outcome = outcome, Attempts = attempts, NextAttempt = now + backoff.Delay(attempts, random) };
            case ReconcileOutcome.Waiting:
                return status with { Outcome = outcome, Attempts = null, NextAttempt = now + WaitingRequeue };
            default:
                // Applied waits for the next poll; Stalled for a new commit, which a poll finds: no requeue of their own.
                return status with { Outcome = outcome, Attempts = null, NextAttempt = null };
        }
    }
}
