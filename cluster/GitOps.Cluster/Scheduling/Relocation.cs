using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// A running task that must leave its node, why, and when: now (<see cref="Delay"/> zero) or once
/// <see cref="Delay"/> has passed since <see cref="Taint"/> appeared on the node (a NoExecute taint the task
/// tolerates for a while: Kubernetes' tolerationSeconds, 300 s for a node that went down).
/// </summary>
internal sealed record Relocation(PlacedTask Task, RelocationAction Action, TimeSpan Delay, string Reason, Taint? Taint = null);
