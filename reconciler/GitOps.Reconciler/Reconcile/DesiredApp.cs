using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// An application's desired state in engine terms: engine names for networks and volumes, each service's
/// replicas with their container requests, and routers. Built from the manifest model by <see cref="Compiler"/>;
/// pure data, so the planner can be tested without an engine.
/// </summary>
internal sealed record DesiredApp(
    string App,
    string Project,
    string Revision,
    IReadOnlyList<DesiredNetwork> Networks,
    IReadOnlyList<DesiredVolume> Volumes,
    IReadOnlyList<DesiredSecret> Secrets,
    IReadOnlyList<DesiredService> Services,
    IReadOnlyList<DesiredRouter> Routers,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Where relative bind mounts and config files are resolved: the application's directory in the revision's tree.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Relative bind sources (with their subPath) resolved inside the revision's tree when compiled.</summary>
    public IReadOnlyDictionary<string, string> BindSources { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    Dictionary<string, DesiredService>? _byName;

    /// <summary>A service by name (built once: routers of large apps look their backends up often).</summary>
    public DesiredService? Service(string name) =>
        (_byName ??= Services.GroupBy(s => s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)).GetValueOrDefault(name);
}

internal sealed record DesiredNetwork(string Key, string EngineName, bool External, bool Internal, string? Subnet, string? Gateway);

/// <summary>
/// A named volume or claim. <see cref="Service"/> is set for a StatefulSet's per-replica claims, which are kept
/// when the set scales down (as Kubernetes keeps them) and are only pruned with the service.
/// </summary>
internal sealed record DesiredVolume(string Key, string EngineName, bool External, string? Driver,
    IReadOnlyDictionary<string, string> Options, IReadOnlyDictionary<string, string> Labels, string? Service = null);

/// <summary>
/// A secret or config. Plans and diffs show <see cref="Digest"/> only; <see cref="Payload"/> carries the bytes
/// to the engine (which encrypts secrets at rest) and prints as <c>***</c>.
/// </summary>
internal sealed record DesiredSecret(string Key, string EngineName, bool External, bool IsConfig, string? Digest, SecretPayload? Payload = null);

/// <summary>A secret's or config's content on its way to the engine: one value, or named values (Kubernetes).</summary>
internal sealed class SecretPayload(byte[]? value, IReadOnlyDictionary<string, byte[]>? items)
{
    public byte[]? Value { get; } = value;
    public IReadOnlyDictionary<string, byte[]>? Items { get; } = items;
    public override string ToString() => "***";
}

/// <summary>
/// One service. <see cref="Hash"/> is the spec hash of its replica template: replicas carrying another hash
/// are replaced, replicas carrying it are left alone whatever else changed (replica count, routes).
/// </summary>
internal sealed record DesiredService(
    string Name,
    string Hash,
    int Replicas,
    int FirstOrdinal,
    UpdateStrategy Update,
    IReadOnlyList<Dependency> DependsOn,
    bool HasHealthCheck,
    TimeSpan StopGrace,
    Service Spec)
{
    public string ReplicaName(string project, int ordinal) => $"{project}-{Name}-{ordinal}";
}

/// <summary>A service address: a router on <see cref="Network"/> in front of the replicas of <see cref="Services"/>.</summary>
internal sealed record DesiredRouter(string Name, string DnsName, string Network, int Port, string Protocol, int? HostPort, IReadOnlyList<(string Service, int TargetPort)> Backends);
