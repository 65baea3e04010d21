using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// Places tasks on nodes, with Swarm's and Kubernetes' rules (see README.md beside this file). Pure: nodes and
/// tasks in, decisions out; the controller writes them to the store. Requests are handled in the order given,
/// each seeing the placements of those before it.
/// </summary>
internal static class Scheduler
{
    public static SchedulingResult Schedule(ClusterSnapshot snapshot, IEnumerable<PlacementRequest> requests)
    {
        var cluster = new WorkingCluster(snapshot);
        var result = new SchedulingResult();
        foreach (var request in requests)
        {
            if (request.Service.Mode == ReplicationMode.Global) GlobalTasks(cluster, request.Service, result);
            else Replicated(cluster, request, result);
        }
        return result;
    }

    public static SchedulingResult Schedule(ClusterSnapshot snapshot, params PlacementRequest[] requests) => Schedule(snapshot, (IEnumerable<PlacementRequest>)requests);

    private static void Replicated(WorkingCluster cluster, PlacementRequest request, SchedulingResult result)
    {
        var service = request.Service;
        var filters = new ServiceFilters(service, cluster);
        var free = new List<SlotRequest>();

        // Slots tied to one node first: their data is there, or the manifest names the node.
        foreach (var slot in request.Slots)
        {
            if (slot.Data is { } data && !service.RescheduleWithDataLoss) PlaceOnDataNode(cluster, filters, slot, data, result);
            else if (service.Placement.NodeName is { } name) PlaceOnNamedNode(cluster, filters, slot, name, result);
            else free.Add(slot);
        }

        // A replacement goes back to the node of the task it replaces while that node still fits.
        var rest = new List<SlotRequest>(free.Count);
        foreach (var slot in free)
        {
            if (slot.PreviousNodeId is { } previous && cluster.ById(previous) is { } node && filters.Check(node) is null) Assign(cluster, filters, slot, node, result);
            else rest.Add(slot);
        }
        if (rest.Count == 0) return;

        var failures = new FailureCounts();
        var tree = new SpreadTree(filters, cluster.Nodes, node =>
        {
            if (filters.Check(node) is not { } reason) return true;
            failures.Add(reason);
            return false;
        });
        string? explanation = null;
        foreach (var slot in rest)
        {
            if (explanation is null && tree.Take(failures) is { } node)
            {
                Assign(cluster, filters, slot, node, result);
                tree.Placed(node);
                continue;
            }
            // Once no node can take a task, none can take the next one either: every node has its reason by now.
            explanation ??= failures.Explain();
            result.Pending.Add(new PendingTask(service, slot.TaskId, slot.Slot, null, explanation, failures.ToList()));
        }
    }

    private static void PlaceOnDataNode(WorkingCluster cluster, ServiceFilters filters, SlotRequest slot, DataBinding data, SchedulingResult result)
    {
        var node = cluster.ById(data.NodeId);
        var waiting = $"waiting for node {node?.Node.Hostname ?? data.NodeId} (holds volume {data.Volume})";
        if (node is null || !node.Node.Up)
        {
            result.Pending.Add(new PendingTask(filters.Service, slot.TaskId, slot.Slot, null, waiting, []));
            return;
        }
        if (filters.Check(node) is { } reason)
        {
            var counts = new FailureCounts();
            counts.Add(reason);
            result.Pending.Add(new PendingTask(filters.Service, slot.TaskId, slot.Slot, null, waiting + ": " + counts.Details(), counts.ToList()));
            return;
        }
        Assign(cluster, filters, slot, node, result);
    }

    /// <summary>A Kubernetes nodeName: the pod goes there or nowhere, past the cordon and NoSchedule taints as a kubelet-bound pod does.</summary>
    private static void PlaceOnNamedNode(WorkingCluster cluster, ServiceFilters filters, SlotRequest slot, string name, SchedulingResult result)
    {
        var node = cluster.ByName(name);
        if (node is null)
        {
            result.Pending.Add(new PendingTask(filters.Service, slot.TaskId, slot.Slot, null, $"no suitable node (node {name} not found)", []));
            return;
        }
        if (filters.Check(node, bound: true) is { } reason)
        {
            var counts = new FailureCounts();
            counts.Add(reason);
            result.Pending.Add(new PendingTask(filters.Service, slot.TaskId, slot.Slot, null, counts.Explain(), counts.ToList()));
            return;
        }
        Assign(cluster, filters, slot, node, result);
    }

    private static void Assign(WorkingCluster cluster, ServiceFilters filters, SlotRequest slot, NodeState node, SchedulingResult result)
    {
        cluster.Place(node, filters.Service);
        filters.Placed(node);
        result.Assignments.Add(new Assignment(filters.Service, slot.TaskId, slot.Slot, node.Node.Id));
    }

    /// <summary>
    /// A global service: one task on each node that should run one and has none. A node that is not available,
    /// does not satisfy the constraints or has a taint the service does not tolerate is simply not one of its
    /// nodes; one that should run it but lacks room (resources, a host port) gets a pending task saying why, as
    /// Swarm's preassigned tasks do.
    /// </summary>
    private static void GlobalTasks(WorkingCluster cluster, ServiceRequirements service, SchedulingResult result)
    {
        var filters = new ServiceFilters(service, cluster);
        foreach (var node in cluster.Nodes)
        {
            if (node.CountOf(service) > 0) continue;
            if (filters.Eligibility(node, bound: service.Placement.NodeName is not null) is not null) continue;
            if (filters.CheckChanging(node) is { } r)
            {
                var counts = new FailureCounts();
                counts.Add(r);
                result.Pending.Add(new PendingTask(service, null, null, node.Node.Id, counts.Explain(), counts.ToList()));
                continue;
            }
            cluster.Place(node, service);
            filters.Placed(node);
            result.Assignments.Add(new Assignment(service, null, null, node.Node.Id));
        }
    }
}
