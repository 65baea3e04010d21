namespace GitOps.Reconciler.Reconcile.Outcomes;

/// <summary>An application's health as Argo CD users read it. The names are the wire strings of the API and the CLI: do not rename.</summary>
internal enum HealthState
{
    Unknown,
    Healthy,

    /// <summary>Something is still on its way: a Job not run yet or running.</summary>
    Progressing,

    /// <summary>A failed Job, a one-off that exited non-zero, missing or stopped replicas.</summary>
    Degraded,
}
