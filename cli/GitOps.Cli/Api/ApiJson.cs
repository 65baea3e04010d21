using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Events;
using GitOps.Runtime.Exec;

namespace GitOps.Cli.Api;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(IdResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(InfoResponse))]
[JsonSerializable(typeof(WaitResponse))]
[JsonSerializable(typeof(CommitRequest))]
[JsonSerializable(typeof(List<ChangeItem>))]
[JsonSerializable(typeof(TopResponse))]
[JsonSerializable(typeof(List<ImageRmItem>))]
[JsonSerializable(typeof(ExecInspect))]
[JsonSerializable(typeof(ExecConfig))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(ContainerInspect))]
[JsonSerializable(typeof(CreateRequest))]
[JsonSerializable(typeof(EngineEvent))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Runtime.Networking.NetworkCreate))]
[JsonSerializable(typeof(NetworkInspect))]
[JsonSerializable(typeof(List<NetworkInspect>))]
[JsonSerializable(typeof(NetworkConnectRequest))]
[JsonSerializable(typeof(PruneNetworksResponse))]
[JsonSerializable(typeof(Runtime.Networking.RouterCreate))]
[JsonSerializable(typeof(Runtime.Networking.RouterConfig))]
[JsonSerializable(typeof(List<Runtime.Networking.RouterConfig>))]
[JsonSerializable(typeof(List<Runtime.Networking.RouterBackendConfig>))]
[JsonSerializable(typeof(Runtime.Networking.Http.HttpRouterSettings))]
[JsonSerializable(typeof(Runtime.Networking.Http.RouterMetricsReport))]
[JsonSerializable(typeof(Runtime.Networking.DrainResult))]
[JsonSerializable(typeof(DrainRequest))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
[JsonSerializable(typeof(AuthRequest))]
[JsonSerializable(typeof(AuthResponse))]
[JsonSerializable(typeof(List<HistoryItem>))]
[JsonSerializable(typeof(VolumeCreateRequest))]
[JsonSerializable(typeof(VolumeInspect))]
[JsonSerializable(typeof(VolumeListResponse))]
[JsonSerializable(typeof(VolumePruneResponse))]
[JsonSerializable(typeof(ContainerPruneResponse))]
[JsonSerializable(typeof(ImagePruneResponse))]
[JsonSerializable(typeof(SecretCreateRequest))]
[JsonSerializable(typeof(SecretInspect))]
[JsonSerializable(typeof(List<SecretInspect>))]
[JsonSerializable(typeof(DiskUsageResponse))]
public sealed partial class ApiJson : JsonSerializerContext;

/// <summary>Indented output for inspect, as docker inspect prints.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never, UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<JsonElement>))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class IndentedJson : JsonSerializerContext;
