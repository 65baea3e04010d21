using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// What placing one service's tasks depends on, taken from its desired state once (constraints parsed,
/// tolerations completed with the ones Kubernetes adds by itself) and shared by all its tasks. Identity is the
/// application and service name (<see cref="Key"/>): tasks of one service count together for spreading.
/// </summary>
internal sealed class ServiceRequirements
{
    public ServiceRequirements(
        string app,
        string name,
        SourceFormat format = SourceFormat.Stack,
        ReplicationMode mode = ReplicationMode.Replicated,
        int? maxPerNode = null,
        Placement? placement = null,
        long nanoCpus = 0,
        long memoryBytes = 0,
        IEnumerable<HostPort>? hostPorts = null,
        ValueMap<string> podLabels = default,
        bool hostNetwork = false)
    {
        App = app;
        Name = name;
        Key = app + "/" + name;
        Format = format;
        Mode = mode;
        MaxPerNode = maxPerNode is > 0 ? maxPerNode : null;
        Placement = placement ?? Placement.Anywhere;
        NanoCpus = Math.Max(0, nanoCpus);
        MemoryBytes = Math.Max(0, memoryBytes);
        HostPortList = [.. (hostPorts ?? []).Distinct()];
        PodLabels = podLabels;

        var constraints = new List<PlacementConstraint>();
        foreach (var text in Placement.Constraints)
        {
            // Validated at load; one that is not (a hand-made request) never matches, as in swarmkit.
            if (PlacementConstraint.TryParse(text, out var c, out _)) constraints.Add(c);
            else HasInvalidConstraint = true;
        }
        ConstraintList = [.. constraints];
        Spread = [.. Placement.Preferences.Select(SpreadPreference.Descriptor)];
        TolerationList = Kubernetes ? [.. WellKnownTaints.Effective(Placement.Tolerations, Daemon, hostNetwork)] : [.. Placement.Tolerations];
        NodeSelectorList = [.. Placement.NodeSelector];
        NodeAffinityList = [.. Placement.NodeAffinity];
        HasAntiAffinity = !Placement.PodAntiAffinity.IsEmpty;
    }

    public string App { get; }

    public string Name { get; }

    public string Key { get; }

    public SourceFormat Format { get; }

    public ReplicationMode Mode { get; }

    public int? MaxPerNode { get; }

    public Placement Placement { get; }

    /// <summary>Reserved CPU per task, in nano-CPUs (Compose <c>reservations.cpus</c>, Kubernetes requests).</summary>
    public long NanoCpus { get; }

    /// <summary>Reserved memory per task, in bytes.</summary>
    public long MemoryBytes { get; }

    public IReadOnlyList<HostPort> HostPorts => HostPortList;

    // Arrays for the scheduler's loops: indexing them allocates nothing.
    internal HostPort[] HostPortList { get; }

    /// <summary>The labels of each task (the pod template's): what anti-affinity selectors look at.</summary>
    public ValueMap<string> PodLabels { get; }

    public bool Kubernetes => Format == SourceFormat.Kubernetes;

    /// <summary>A DaemonSet: a global service from a Kubernetes manifest. It tolerates cordons and drains, as DaemonSet pods do.</summary>
    public bool Daemon => Kubernetes && Mode == ReplicationMode.Global;

    public bool RescheduleWithDataLoss => Placement.RescheduleWithDataLoss;

    internal PlacementConstraint[] ConstraintList { get; }

    internal KeyValuePair<string, string>[] NodeSelectorList { get; }

    internal NodeSelectorTerm[] NodeAffinityList { get; }

    internal bool HasInvalidConstraint { get; }

    internal (bool Engine, string Label)[] Spread { get; }

    /// <summary>Declared tolerations plus those Kubernetes adds (see <see cref="WellKnownTaints.Effective"/>).</summary>
    public IReadOnlyList<Toleration> Tolerations => TolerationList;

    internal Toleration[] TolerationList { get; }

    public bool HasAntiAffinity { get; }

    /// <summary>From a service of the desired state. Reservations are per task: a Kubernetes pod reserves the larger of its containers' sum and its biggest init container, as the scheduler computes requests.</summary>
    public static ServiceRequirements From(string app, Service service)
    {
        long cpu = 0, memory = 0;
        foreach (var c in service.Template.Containers)
        {
            cpu += c.Resources.CpuReservation ?? 0;
            memory += c.Resources.MemoryReservation ?? 0;
        }
        foreach (var c in service.Template.InitContainers)
        {
            cpu = Math.Max(cpu, c.Resources.CpuReservation ?? 0);
            memory = Math.Max(memory, c.Resources.MemoryReservation ?? 0);
        }
        var ports = service.Ports.Where(p => p.Mode == PortMode.Host && p.Published is > 0).Select(p => new HostPort(p.Protocol, p.Published!.Value));
        return new ServiceRequirements(app, service.Name, service.Format, service.Replication.Mode, service.Replication.MaxPerNode, service.Placement,
            cpu, memory, ports, service.Template.Labels, service.Template.NetworkMode.Kind == NetworkModeKind.Host);
    }

    public override string ToString() => Key;
}
