namespace GitOps.Reconciler.Reconcile.Outcomes;

/// <summary>
/// How one reconcile ended, as Flux's controllers report it: what happens next follows from it alone.
/// </summary>
internal enum ReconcileOutcome
{
    /// <summary>The revision is applied (or was already): the next poll looks for a new one.</summary>
    Applied,

    /// <summary>
    /// The revision cannot work as it is (rejected manifests, a policy violation, a rollout that failed on its own
    /// merits, a ref that does not exist): trying it again repeats the failure, so it is not retried; a new commit (or
    /// <c>gitops sync</c>) is what moves it on.
    /// </summary>
    Stalled,

    /// <summary>
    /// Something outside the revision failed and may pass (the source or a registry unreachable, the engine busy):
    /// retried with exponential back-off and jitter; the next attempt's time is in the status.
    /// </summary>
    Transient,

    /// <summary>Applied, and waiting on health (a Job running, replicas not ready yet): requeued shortly to look again.</summary>
    Waiting,
}
