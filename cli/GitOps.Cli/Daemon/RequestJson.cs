using System.Text.Json.Serialization;
using GitOps.Cli.Api;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Exec;

namespace GitOps.Cli.Daemon;

/// <summary>
/// How the daemon reads request bodies: the API's own types, but with nullable annotations respected, so an
/// explicit <c>null</c> where the type says "never null" (<c>"Env": null</c>, <c>"HostConfig": null</c>) is a 400
/// naming the property, not a NullReferenceException deep in the engine. Responses keep <see cref="ApiJson"/>.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(CommitRequest))]
[JsonSerializable(typeof(ExecConfig))]
[JsonSerializable(typeof(CreateRequest))]
[JsonSerializable(typeof(Runtime.Networking.NetworkCreate))]
[JsonSerializable(typeof(NetworkConnectRequest))]
[JsonSerializable(typeof(Runtime.Networking.RouterCreate))]
[JsonSerializable(typeof(List<Runtime.Networking.RouterBackendConfig>))]
[JsonSerializable(typeof(Runtime.Networking.Http.HttpRouterSettings))]
[JsonSerializable(typeof(Dictionary<string, int>))]
[JsonSerializable(typeof(DrainRequest))]
[JsonSerializable(typeof(AuthRequest))]
[JsonSerializable(typeof(VolumeCreateRequest))]
[JsonSerializable(typeof(SecretCreateRequest))]
internal sealed partial class RequestJson : JsonSerializerContext;
