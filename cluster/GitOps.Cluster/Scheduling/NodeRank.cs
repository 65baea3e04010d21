namespace GitOps.Cluster.Scheduling;

/// <summary>
/// The order nodes are chosen in for one service (lowest first): fewest PreferNoSchedule taints it does not
/// tolerate, then Swarm's spread — fewest tasks of this service, then fewest tasks in all — then hostname order.
/// </summary>
internal readonly record struct NodeRank(int Avoid, int ServiceTasks, int TotalTasks, int Ordinal) : IComparable<NodeRank>
{
    public int CompareTo(NodeRank other)
    {
        var c = Avoid.CompareTo(other.Avoid);
        if (c != 0) return c;
        c = ServiceTasks.CompareTo(other.ServiceTasks);
        if (c != 0) return c;
        c = TotalTasks.CompareTo(other.TotalTasks);
        return c != 0 ? c : Ordinal.CompareTo(other.Ordinal);
    }
}
