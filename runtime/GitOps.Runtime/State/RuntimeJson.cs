using System.Text.Json.Serialization;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;
using GitOps.Runtime.Init;

namespace GitOps.Runtime.State;

/// <summary>Source-generated JSON for everything the engine persists or sends to container-init (NativeAOT needs no reflection).</summary>
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
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class RuntimeJson : JsonSerializerContext;
