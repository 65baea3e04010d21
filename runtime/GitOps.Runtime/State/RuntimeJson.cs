using System.Text.Json.Serialization;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;
using GitOps.Runtime.Init;
using GitOps.Runtime.Secrets;
using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.State;

/// <summary>
/// Source-generated JSON for everything the engine persists or sends to container-init (NativeAOT
/// needs no reflection). Records bound to JSON have settable, not init-only, properties: the
/// generator assigns every init-only property in one object initializer, so a member missing from
/// the JSON would get default(T) instead of its initializer (a partial create request from an API
/// client would lose its HostConfig). They are still used as immutable values, changed with `with`.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ContainerConfig))]
[JsonSerializable(typeof(ContainerState))]
[JsonSerializable(typeof(InitSpec))]
[JsonSerializable(typeof(InitMessage))]
[JsonSerializable(typeof(ImageRecord))]
[JsonSerializable(typeof(LayerRecord))]
[JsonSerializable(typeof(ImageConfigFile))]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(Networking.NetworkConfig))]
[JsonSerializable(typeof(Networking.ContainerNetwork))]
[JsonSerializable(typeof(Networking.RouterConfig))]
[JsonSerializable(typeof(VolumeRecord))]
[JsonSerializable(typeof(SecretRecord))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class RuntimeJson : JsonSerializerContext;
