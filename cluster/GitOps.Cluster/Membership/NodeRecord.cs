using System.Text.Json.Serialization;

namespace GitOps.Cluster.Membership;

[JsonConverter(typeof(JsonStringEnumConverter<NodeRole>))]
internal enum NodeRole
{
    [JsonStringEnumMemberName("worker")] Worker,
    [JsonStringEnumMemberName("manager")] Manager,
}

/// <summary>As docker node update --availability: pause takes no new tasks, drain moves them away.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NodeAvailability>))]
internal enum NodeAvailability
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("pause")] Pause,
    [JsonStringEnumMemberName("drain")] Drain,
}

internal static class NodeEnums
{
    public static string Name(this NodeRole role) => role == NodeRole.Manager ? "manager" : "worker";

    public static string Name(this NodeAvailability a) => a switch
    {
        NodeAvailability.Pause => "pause",
        NodeAvailability.Drain => "drain",
        _ => "active",
    };

    public static bool TryParseRole(string text, out NodeRole role)
    {
        role = text switch { "worker" => NodeRole.Worker, "manager" => NodeRole.Manager, _ => (NodeRole)(-1) };
        return (int)role >= 0;
    }

    public static bool TryParseAvailability(string text, out NodeAvailability a)
    {
        a = text switch { "active" => NodeAvailability.Active, "pause" => NodeAvailability.Pause, "drain" => NodeAvailability.Drain, _ => (NodeAvailability)(-1) };
        return (int)a >= 0;
    }
}

/// <summary>What a node offers the scheduler: CPUs (as Docker, in units of 1e-9 CPU) and memory in bytes.</summary>
internal sealed record NodeResources(long NanoCpus, long MemoryBytes);

/// <summary>
/// A node as the cluster knows it (nodes/{id}): written at join by the manager that admitted it, then
/// by managers only (labels, availability, role, taints). Its liveness is not here but in alive/{id}.
/// </summary>
internal sealed record NodeRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required NodeRole Role { get; init; }
    public NodeAvailability Availability { get; init; } = NodeAvailability.Active;
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Labels the node reports about itself (os, arch, kernel), as Docker's engine labels.</summary>
    public IReadOnlyDictionary<string, string> EngineLabels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<Taint> Taints { get; init; } = [];
    public required NodeResources Resources { get; init; }
    /// <summary>The node's advertise address (IP), where managers serve etcd (2379/2380) and joins (2377).</summary>
    public required string Address { get; init; }
    public required string Version { get; init; }
    public required DateTimeOffset JoinedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>The node's etcd member id (managers with a supervised member), hex.</summary>
    public string? EtcdMemberId { get; init; }
}
