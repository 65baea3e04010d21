using System.Net;
using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// A node as the scheduler sees it: identity, role, availability, whether it is up (its lease is alive),
/// labels (<c>node.labels.X</c>, also the Kubernetes node labels), engine labels (<c>engine.labels.X</c>), taints,
/// capacity (nano-CPUs, bytes) and platform. Architectures use Go's names (amd64, arm64), as image platforms do.
/// </summary>
internal sealed record NodeDescription(string Id, string Hostname)
{
    public NodeRole Role { get; init; } = NodeRole.Worker;

    public NodeAvailability Availability { get; init; } = NodeAvailability.Active;

    public bool Up { get; init; } = true;

    public ValueMap<string> Labels { get; init; }

    public ValueMap<string> EngineLabels { get; init; }

    public ValueList<Taint> Taints { get; init; }

    public long NanoCpus { get; init; }

    public long MemoryBytes { get; init; }

    public string Os { get; init; } = "linux";

    public string Arch { get; init; } = "amd64";

    public IPAddress? Address { get; init; }
}
