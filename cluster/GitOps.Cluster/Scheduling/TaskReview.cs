using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// Finds the running tasks that must leave their node:
/// <list type="bullet">
/// <item>the node left the fleet;</item>
/// <item>the node is down: Swarm services move at once (a global one stops there); Kubernetes pods follow the
/// "unreachable" NoExecute taint, so they move after their tolerationSeconds (300 s by default) and DaemonSet
/// pods stay;</item>
/// <item>the node is drained: everything moves but DaemonSet pods and nodeName-bound pods (kubectl drain leaves
/// the former, and the latter would only come back);</item>
/// <item>a NoExecute taint the task does not tolerate (or tolerates for a while);</item>
/// <item>a Swarm task whose node no longer satisfies the constraints (Swarm's constraint enforcer; Kubernetes'
/// affinity is IgnoredDuringExecution, so pods stay), and a global task whose node no longer should run it;</item>
/// <item>a second task of a global service on one node.</item>
/// </list>
/// A task bound to data moves like any other: its replacement then waits for the node (see <see cref="SlotRequest.Replacing"/>).
/// Pausing a node moves nothing.
/// </summary>
internal static class TaskReview
{
    public static IReadOnlyList<Relocation> Review(ClusterSnapshot snapshot)
    {
        var cluster = new WorkingCluster(snapshot);
        var filters = new Dictionary<ServiceRequirements, ServiceFilters>(ReferenceEqualityComparer.Instance);
        var seenGlobal = new HashSet<(string Service, string Node)>();
        var result = new List<Relocation>();
        foreach (var task in snapshot.Tasks.OrderBy(t => t.Slot ?? int.MaxValue).ThenBy(t => t.Id, StringComparer.Ordinal))
        {
            var s = task.Service;
            var global = s.Mode == ReplicationMode.Global;
            var action = global ? RelocationAction.Stop : RelocationAction.Move;
            var node = cluster.ById(task.NodeId);
            if (node is null)
            {
                result.Add(new Relocation(task, action, TimeSpan.Zero, $"node {task.NodeId} has left the fleet"));
                continue;
            }
            var name = node.Node.Hostname;
            if (global && !seenGlobal.Add((s.Key, task.NodeId)))
            {
                result.Add(new Relocation(task, action, TimeSpan.Zero, $"another task of the global service already runs on node {name}"));
                continue;
            }
            if (!filters.TryGetValue(s, out var f)) filters[s] = f = new ServiceFilters(s, cluster);

            if (!s.Kubernetes && !node.Node.Up)
            {
                result.Add(new Relocation(task, action, TimeSpan.Zero, $"node {name} is down"));
                continue;
            }
            var bound = s.Placement.NodeName is not null;
            if (node.Node.Availability == NodeAvailability.Drain && !s.Daemon && !bound)
            {
                result.Add(new Relocation(task, action, TimeSpan.Zero, $"node {name} is drained"));
                continue;
            }
            if ((!s.Kubernetes || global) && !f.MatchesConstraints(node))
            {
                result.Add(new Relocation(task, action, TimeSpan.Zero, $"node {name} no longer satisfies the placement constraints"));
                continue;
            }
            var unreachable = s.Kubernetes && !node.Node.Up;
            if (node.Node.Taints.IsEmpty && !unreachable) continue;
            var taints = unreachable ? node.Node.Taints.Append(WellKnownTaints.UnreachableNoExecute) : node.Node.Taints;
            var verdict = NoExecute.Decide(taints, s.TolerationList);
            if (verdict.Evict)
            {
                var why = verdict.Cause == WellKnownTaints.UnreachableNoExecute ? $"node {name} is down" : $"node {name} has taint {verdict.Cause}";
                if (verdict.Delay > TimeSpan.Zero) why += $" (tolerated for {verdict.Delay.TotalSeconds:0}s)";
                result.Add(new Relocation(task, action, verdict.Delay, why, verdict.Cause));
            }
        }
        return result;
    }
}
