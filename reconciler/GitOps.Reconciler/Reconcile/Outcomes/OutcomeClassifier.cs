using GitOps.Reconciler.Sources;

namespace GitOps.Reconciler.Reconcile.Outcomes;

/// <summary>Which failures are the revision's (stalled) and which may pass by themselves (transient).</summary>
internal static class OutcomeClassifier
{
    /// <summary>A failure before anything was applied: reading the source, loading, compiling.</summary>
    public static ReconcileOutcome OfLoadFailure(Exception e) => e switch
    {
        // Network trouble passes; a missing repository or ref, refused credentials or a bad ref need a change in Git
        // or in the config, which polls (not quick retries) will see.
        SourceException s => s.IsTransient ? ReconcileOutcome.Transient : ReconcileOutcome.Stalled,
        // A disk that is full or a checkout area that went away: not the revision's fault.
        IOException => ReconcileOutcome.Transient,
        // A policy that cannot be resolved, a path that escapes the tree: the same revision fails the same way.
        _ => ReconcileOutcome.Stalled,
    };

    /// <summary>
    /// A failed apply: a rollout that failed on its own merits (a new replica exited, turned unhealthy, never became
    /// ready) is stalled; anything else (the engine busy, a pull from an unreachable registry, a port taken) is retried.
    /// </summary>
    public static ReconcileOutcome OfApplyFailure(ApplyException e) => e.Stalled ? ReconcileOutcome.Stalled : ReconcileOutcome.Transient;

    /// <summary>After a sync that applied, or found nothing to apply: health still on its way means waiting.</summary>
    public static ReconcileOutcome OfHealth(HealthState health) => health == HealthState.Progressing ? ReconcileOutcome.Waiting : ReconcileOutcome.Applied;
}
