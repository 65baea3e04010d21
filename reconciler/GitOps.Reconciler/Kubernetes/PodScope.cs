using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// What each container of a pod is mapped against: the pod's volumes and claim templates, its user, whether it
/// runs on the host's network, the names of all its containers (resourceFieldRef may name any of them), and
/// the host ports collected so far.
/// </summary>
internal sealed record PodScope(
    IReadOnlyDictionary<string, PodVolume> Volumes,
    IReadOnlySet<string> ClaimTemplates,
    string? PodUser,
    bool HostNetwork,
    IReadOnlySet<string> ContainerNames,
    List<PortBinding> HostPorts);
