namespace GitOps.Cluster.Scheduling;

/// <summary>
/// One node during a scheduling pass: what is still free on it (capacity minus the reservations of the tasks
/// there), how many tasks it runs in all and per service (the spread order), and the host ports taken.
/// </summary>
internal sealed class NodeState
{
    private readonly Dictionary<string, int> _byService = new(StringComparer.Ordinal);
    private HashSet<HostPort>? _ports;
    private Dictionary<string, string>? _kubeLabels;
    private Dictionary<string, string>? _labels;
    private Dictionary<string, string>? _engineLabels;

    public NodeState(NodeDescription node, int ordinal)
    {
        Node = node;
        Ordinal = ordinal;
        FreeCpu = node.NanoCpus;
        FreeMemory = node.MemoryBytes;
    }

    public NodeDescription Node { get; }

    /// <summary>Position in hostname order: the last tie-breaker, so a pass is deterministic.</summary>
    public int Ordinal { get; }

    public long FreeCpu { get; private set; }

    public long FreeMemory { get; private set; }

    public int Total { get; private set; }

    public int CountOf(ServiceRequirements service) => _byService.GetValueOrDefault(service.Key);

    public bool PortTaken(HostPort port) => _ports?.Contains(port) == true;

    public void Add(ServiceRequirements service)
    {
        FreeCpu -= service.NanoCpus;
        FreeMemory -= service.MemoryBytes;
        Total++;
        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byService, service.Key, out _)++;
        if (service.HostPortList.Length > 0)
        {
            _ports ??= [];
            foreach (var p in service.HostPortList) _ports.Add(p);
        }
    }

    /// <summary>The node's labels (node.labels.X) as a hash map: constraints read them in hot loops.</summary>
    public Dictionary<string, string> Labels => _labels ??= new Dictionary<string, string>(Node.Labels, StringComparer.Ordinal);

    /// <summary>The engine labels (engine.labels.X).</summary>
    public Dictionary<string, string> EngineLabels => _engineLabels ??= new Dictionary<string, string>(Node.EngineLabels, StringComparer.Ordinal);

    /// <summary>
    /// The node's labels as Kubernetes selectors see them: its own, plus the well-known ones a kubelet sets
    /// (kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch) unless the node sets them itself.
    /// </summary>
    public IReadOnlyDictionary<string, string> KubeLabels => _kubeLabels ??= BuildKubeLabels();

    private Dictionary<string, string> BuildKubeLabels()
    {
        var labels = new Dictionary<string, string>(Node.Labels, StringComparer.Ordinal);
        labels.TryAdd("kubernetes.io/hostname", Node.Hostname);
        labels.TryAdd("kubernetes.io/os", Node.Os);
        labels.TryAdd("kubernetes.io/arch", Node.Arch);
        return labels;
    }

    public override string ToString() => Node.Hostname;
}
