namespace GitOps.Reconciler.Model;

/// <summary>What a rolling update does when new replicas fail (Swarm's update_config.failure_action).</summary>
internal enum FailureAction
{
    Pause,
    Continue,
    Rollback,
}
