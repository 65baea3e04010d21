namespace GitOps.Runtime.Containers;

/// <summary>
/// A Kubernetes container's environment, which the engine resolves at every start (and for exec) because some
/// of it is only known then: values of secrets and configs (never stored in clear), and the node's fields
/// (its name, its address, the pod's address, its allocatable resources). The kubelet's order applies: the
/// variables of <see cref="ContainerConfig.SecretEnvFrom"/> first, then <see cref="Vars"/> in declaration
/// order, each <see cref="KubeEnvSource.Value"/> expanded against the variables defined before it; the
/// command (Entrypoint) and args (Cmd) the manifest gave are expanded against the whole result.
/// The image's own variables are the base everything else overrides.
/// </summary>
public sealed record KubeEnv
{
    public IReadOnlyList<KubeEnvVar> Vars { get; set; } = [];
    public bool ExpandEntrypoint { get; set; }
    public bool ExpandCmd { get; set; }
}

public enum KubeEnvSource
{
    /// <summary>Text with <c>$(VAR)</c> references (<see cref="KubeExpansion"/>).</summary>
    Value,
    /// <summary>A value taken as it is (valueFrom results are never expanded).</summary>
    Literal,
    /// <summary>The value of <see cref="ContainerConfig.SecretEnv"/>[<see cref="KubeEnvVar.Index"/>]; an optional one that is missing leaves the variable as it was.</summary>
    Secret,
    /// <summary>A field only the node knows: <see cref="KubeEnvVar.Value"/> is its path (see <see cref="KubeFields"/>).</summary>
    Field,
}

public sealed record KubeEnvVar
{
    public required string Name { get; set; }
    public KubeEnvSource Source { get; set; }
    public string? Value { get; set; }
    public int Index { get; set; }
    /// <summary>For node.allocatable.* fields: the unit of the value, in millicores (CPU) or bytes; the value is rounded up.</summary>
    public long Divisor { get; set; } = 1;
}

/// <summary>The field paths the engine fills in (downward API names where Kubernetes has them).</summary>
public static class KubeFields
{
    public const string NodeName = "spec.nodeName", HostIP = "status.hostIP", HostIPs = "status.hostIPs",
        PodIP = "status.podIP", PodIPs = "status.podIPs", PodUid = "metadata.uid",
        AllocatableCpu = "node.allocatable.cpu", AllocatableMemory = "node.allocatable.memory", AllocatableStorage = "node.allocatable.ephemeral-storage";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        NodeName, HostIP, HostIPs, PodIP, PodIPs, PodUid, AllocatableCpu, AllocatableMemory, AllocatableStorage,
    };
}
