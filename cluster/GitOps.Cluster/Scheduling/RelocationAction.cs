namespace GitOps.Cluster.Scheduling;

/// <summary>Move: stop the task and place its slot again (replicated). Stop: stop it for good (a global service's task on a node that no longer runs it).</summary>
internal enum RelocationAction
{
    Move,
    Stop,
}
