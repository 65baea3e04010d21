using System.Text.Json.Serialization;

namespace GitOps.Cluster.Api;

// The daemon API's cluster and node shapes (PascalCase, as Docker's API; what --format templates see).

internal sealed record InitRequest(string? AdvertiseAddr);

internal sealed record JoinClusterRequest(string Token, string Manager, string? AdvertiseAddr);

internal sealed record JoinTokenView(string Role, string Token, string Command);

/// <summary>A node as `gitops node ls` and `node inspect` show it.</summary>
internal sealed record NodeView
{
    public required string ID { get; init; }
    public required string Hostname { get; init; }
    public required string Role { get; init; }
    /// <summary>Ready while its heartbeat lease lives, else Down.</summary>
    public required string Status { get; init; }
    public required string Availability { get; init; }
    /// <summary>Leader, Reachable or Unreachable for managers; empty for workers.</summary>
    public required string ManagerStatus { get; init; }
    public required string EngineVersion { get; init; }
    public required string Address { get; init; }
    /// <summary>The node this daemon is (docker node ls marks it with *).</summary>
    public bool Self { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> EngineLabels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Taints { get; init; } = [];
    public long NanoCPUs { get; init; }
    public long MemoryBytes { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string? EtcdMemberID { get; init; }
}

/// <summary>docker node update's flags; every field optional, all validated before anything is written.</summary>
internal sealed record NodeUpdateRequest
{
    public IReadOnlyList<string> LabelAdd { get; init; } = [];
    public IReadOnlyList<string> LabelRm { get; init; } = [];
    public string? Availability { get; init; }
    public IReadOnlyList<string> TaintAdd { get; init; } = [];
    public IReadOnlyList<string> TaintRm { get; init; } = [];
}

internal sealed record MemberView(string ID, string Name, string Endpoint, bool Healthy, bool IsLeader, bool IsLearner, string? Error, string? Version);

internal sealed record ClusterStatusView
{
    public required string ClusterID { get; init; }
    public required string NodeID { get; init; }
    public required string NodeName { get; init; }
    public required string Role { get; init; }
    public required string Address { get; init; }
    /// <summary>The node leading the controller election (name), when known.</summary>
    public string? Leader { get; init; }
    public string? LeaderID { get; init; }
    public bool IsLeader { get; init; }
    /// <summary>Whether the store accepts writes (etcd has quorum).</summary>
    public bool Writable { get; init; }
    public required string Message { get; init; }
    public bool ExternalEtcd { get; init; }
    public IReadOnlyList<MemberView> Members { get; init; } = [];
    public int Nodes { get; init; }
    public int NodesReady { get; init; }
}

internal sealed record ClusterMessage(string Message);

// Strict on reading: a request to init, join or update a node that carries fields these verbs do not know is a
// mistake (or an attack) to refuse with 400, never a cluster started with defaults.
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(InitRequest))]
[JsonSerializable(typeof(JoinClusterRequest))]
[JsonSerializable(typeof(JoinTokenView))]
[JsonSerializable(typeof(NodeView))]
[JsonSerializable(typeof(List<NodeView>))]
[JsonSerializable(typeof(NodeUpdateRequest))]
[JsonSerializable(typeof(ClusterStatusView))]
[JsonSerializable(typeof(ClusterMessage))]
internal sealed partial class ClusterApiJson : JsonSerializerContext;
