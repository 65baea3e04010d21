namespace GitOps.Reconciler.Reconcile.Outcomes;

/// <summary>Sync state as Argo CD users read it. The names are the wire strings of the API and the CLI: do not rename.</summary>
internal enum SyncState
{
    Unknown,
    Synced,
    OutOfSync,
    Syncing,
    Failed,

    /// <summary>An application whose saved definition cannot be loaded: reported, never run, until replaced or removed.</summary>
    Invalid,
}
