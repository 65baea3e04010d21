namespace GitOps.Reconciler.Model;

/// <summary>What a CronJob does when a run is due while an earlier one is still active.</summary>
internal enum ConcurrencyPolicy
{
    /// <summary>Start the new run beside the active ones (Kubernetes' default).</summary>
    Allow,
    /// <summary>Skip the new run; it may still start once the active one ends, within startingDeadlineSeconds.</summary>
    Forbid,
    /// <summary>Stop the active runs and start the new one.</summary>
    Replace,
}
