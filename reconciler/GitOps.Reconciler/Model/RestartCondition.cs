namespace GitOps.Reconciler.Model;

/// <summary>When a stopped container is started again.</summary>
internal enum RestartCondition
{
    No,
    Always,
    OnFailure,
    UnlessStopped,
}
