namespace GitOps.Reconciler.Model;

/// <summary>When the image is pulled before a replica starts.</summary>
internal enum PullPolicy
{
    Missing,
    Always,
    Never,
    Build,
}
