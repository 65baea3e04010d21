namespace GitOps.Reconciler.Model;

/// <summary>Where a mount's content comes from. Ephemeral is scratch space that lives as long as the replica (Kubernetes emptyDir, Compose anonymous volumes); ClaimTemplate is a per-replica volume of a StatefulSet; Unsupported marks a source gitops cannot provide (reported as a warning).</summary>
internal enum MountType
{
    Volume,
    Bind,
    Tmpfs,
    Ephemeral,
    Secret,
    Config,
    ClaimTemplate,
    Unsupported,
}
