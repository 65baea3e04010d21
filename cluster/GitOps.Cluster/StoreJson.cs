using System.Text.Json.Serialization;
using GitOps.Cluster.Membership;

namespace GitOps.Cluster;

/// <summary>Values in the store and the node's local files: camelCase JSON, source-generated (NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(NodeRecord))]
[JsonSerializable(typeof(ClusterInfo))]
[JsonSerializable(typeof(LocalState))]
[JsonSerializable(typeof(AliveRecord))]
[JsonSerializable(typeof(TokenRecord))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(JoinResponse))]
[JsonSerializable(typeof(JoinError))]
internal sealed partial class StoreJson : JsonSerializerContext;
