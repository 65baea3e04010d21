namespace GitOps.Cli.Api;

// Volumes, secrets, configs, system df and prune: shaped after Docker's Engine API.

/// <summary>POST /volumes/create.</summary>
public sealed record VolumeCreateRequest
{
    public string? Name { get; set; }
    public string? Driver { get; set; }
    public Dictionary<string, string>? DriverOpts { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>A volume as Docker's inspect and list show it, fields in Docker's order (UsageData only in system df).</summary>
public sealed record VolumeInspect(string CreatedAt, string Driver, Dictionary<string, string> Labels, string Mountpoint, string Name,
    Dictionary<string, string> Options, string Scope, VolumeUsageData? UsageData = null);

public sealed record VolumeUsageData(long Size, long RefCount);

public sealed record VolumeListResponse(IReadOnlyList<VolumeInspect> Volumes, IReadOnlyList<string> Warnings);

public sealed record VolumePruneResponse(IReadOnlyList<string> VolumesDeleted, long SpaceReclaimed);

public sealed record ContainerPruneResponse(IReadOnlyList<string> ContainersDeleted, long SpaceReclaimed);

public sealed record ImagePruneResponse(IReadOnlyList<ImageRmItem> ImagesDeleted, long SpaceReclaimed);

/// <summary>POST /secrets/create and /configs/create (and their update): one value (Data) or named values (Items), base64 in JSON.</summary>
public sealed record SecretCreateRequest
{
    public string Name { get; set; } = "";
    public Dictionary<string, string>? Labels { get; set; }
    public byte[]? Data { get; set; }
    public Dictionary<string, byte[]>? Items { get; set; }

    public override string ToString() => $"SecretCreateRequest {{ Name = {Name} }}";
}

/// <summary>A secret or config as docker secret inspect shows it: metadata; a config's Spec also carries its content.</summary>
public sealed record SecretInspect(string ID, SecretVersion Version, DateTime CreatedAt, DateTime UpdatedAt, SecretSpecInspect Spec);

public sealed record SecretVersion(long Index);

public sealed record SecretSpecInspect(string Name, Dictionary<string, string> Labels, IReadOnlyList<string>? Keys = null,
    byte[]? Data = null, Dictionary<string, byte[]>? Items = null);

/// <summary>GET /system/df.</summary>
public sealed record DiskUsageResponse(long LayersSize, long ImagesReclaimable, IReadOnlyList<DiskUsageImage> Images,
    IReadOnlyList<DiskUsageContainer> Containers, IReadOnlyList<VolumeInspect> Volumes);

public sealed record DiskUsageImage(string Id, IReadOnlyList<string> RepoTags, long Created, long Size, long SharedSize, int Containers);

public sealed record DiskUsageContainer(string Id, IReadOnlyList<string> Names, string Image, string Command, long Created,
    string State, string Status, long SizeRw, int LocalVolumes);
