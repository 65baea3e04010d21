namespace GitOps.Reconciler.Diagnostics;

/// <summary>An error rejects the revision; a warning is reported and the revision still loads.</summary>
internal enum Severity
{
    Error,
    Warning,
}
