using System.Text.Json.Serialization;

namespace GitOps.Runtime.Volumes;

/// <summary>A volume of the local driver, persisted as volume.json beside its _data directory.</summary>
public sealed record VolumeRecord
{
    /// <summary>Docker (23+) marks anonymous volumes with this label; volume prune removes only those unless asked for all.</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    public required string Name { get; set; }
    public string Driver { get; set; } = VolumeStore.LocalDriver;
    public DateTimeOffset CreatedAt { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>The local driver's options, as `docker volume create -o`: type, device and o (mount(8) options).</summary>
    public Dictionary<string, string> Options { get; set; } = [];

    [JsonIgnore]
    public bool IsAnonymous => Labels.ContainsKey(AnonymousLabel);
}
