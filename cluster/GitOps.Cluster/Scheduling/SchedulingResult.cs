namespace GitOps.Cluster.Scheduling;

/// <summary>Everything one scheduling pass decided: where tasks go, and which stay pending and why.</summary>
internal sealed class SchedulingResult
{
    public List<Assignment> Assignments { get; } = [];

    public List<PendingTask> Pending { get; } = [];

    public Assignment? AssignmentOf(string taskId) => Assignments.Find(a => a.TaskId == taskId);

    public PendingTask? PendingOf(string taskId) => Pending.Find(p => p.TaskId == taskId);
}
