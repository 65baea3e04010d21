using System.Text.Json.Serialization;

namespace GitOps.Runtime.Images;

// The OCI image spec's JSON documents (image-spec v1.1), which Docker's schema2 documents mirror.

public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}

public sealed record Platform(
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("variant")] string? Variant = null);

public sealed record Descriptor(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("annotations")] Dictionary<string, string>? Annotations = null,
    [property: JsonPropertyName("platform")] Platform? Platform = null);

public sealed record ImageManifest(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("config")] Descriptor Config,
    [property: JsonPropertyName("layers")] IReadOnlyList<Descriptor> Layers,
    [property: JsonPropertyName("annotations")] Dictionary<string, string>? Annotations = null);

public sealed record ImageIndex(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("manifests")] IReadOnlyList<Descriptor> Manifests,
    [property: JsonPropertyName("annotations")] Dictionary<string, string>? Annotations = null);

/// <summary>Docker's HEALTHCHECK as stored in image and container config (durations in nanoseconds).</summary>
public sealed record HealthConfig(
    [property: JsonPropertyName("Test")] IReadOnlyList<string>? Test,
    [property: JsonPropertyName("Interval")] long Interval = 0,
    [property: JsonPropertyName("Timeout")] long Timeout = 0,
    [property: JsonPropertyName("StartPeriod")] long StartPeriod = 0,
    [property: JsonPropertyName("StartInterval")] long StartInterval = 0,
    [property: JsonPropertyName("Retries")] int Retries = 0);

/// <summary>The "config" part of an image config: the defaults a container starts with.</summary>
public sealed record ImageRuntimeConfig
{
    [JsonPropertyName("User")] public string? User { get; set; }
    [JsonPropertyName("ExposedPorts")] public Dictionary<string, EmptyObject>? ExposedPorts { get; set; }
    [JsonPropertyName("Env")] public IReadOnlyList<string>? Env { get; set; }
    [JsonPropertyName("Entrypoint")] public IReadOnlyList<string>? Entrypoint { get; set; }
    [JsonPropertyName("Cmd")] public IReadOnlyList<string>? Cmd { get; set; }
    [JsonPropertyName("Volumes")] public Dictionary<string, EmptyObject>? Volumes { get; set; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; set; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("StopSignal")] public string? StopSignal { get; set; }
    [JsonPropertyName("Healthcheck")] public HealthConfig? Healthcheck { get; set; }
    [JsonPropertyName("Shell")] public IReadOnlyList<string>? Shell { get; set; }
    [JsonPropertyName("OnBuild")] public IReadOnlyList<string>? OnBuild { get; set; }
    /// <summary>Build-time only (Docker records it so CMD in shell form is known): true when Cmd came from the shell form.</summary>
    [JsonPropertyName("ArgsEscaped")] public bool? ArgsEscaped { get; set; }
}

/// <summary>JSON's {} as used by ExposedPorts and Volumes maps.</summary>
public sealed record EmptyObject;

public sealed record RootFs(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("diff_ids")] IReadOnlyList<string> DiffIds);

public sealed record HistoryEntry(
    [property: JsonPropertyName("created")] DateTimeOffset? Created = null,
    [property: JsonPropertyName("created_by")] string? CreatedBy = null,
    [property: JsonPropertyName("author")] string? Author = null,
    [property: JsonPropertyName("comment")] string? Comment = null,
    [property: JsonPropertyName("empty_layer")] bool? EmptyLayer = null);

public sealed record ImageConfigFile
{
    [JsonPropertyName("created")] public DateTimeOffset? Created { get; set; }
    [JsonPropertyName("author")] public string? Author { get; set; }
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "amd64";
    [JsonPropertyName("os")] public string Os { get; set; } = "linux";
    [JsonPropertyName("variant")] public string? Variant { get; set; }
    [JsonPropertyName("config")] public ImageRuntimeConfig Config { get; set; } = new();
    [JsonPropertyName("rootfs")] public RootFs RootFs { get; set; } = new("layers", []);
    [JsonPropertyName("history")] public IReadOnlyList<HistoryEntry>? History { get; set; }
}
