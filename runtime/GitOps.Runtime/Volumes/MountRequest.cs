namespace GitOps.Runtime.Volumes;

/// <summary>One --mount, in the shape of Docker's API (HostConfig.Mounts).</summary>
public sealed record MountRequest
{
    /// <summary>volume (Docker's default), bind or tmpfs.</summary>
    public string Type { get; set; } = MountPoint.VolumeType;
    public string? Source { get; set; }
    public string Target { get; set; } = "";
    public bool ReadOnly { get; set; }
    public string? Consistency { get; set; }
    public BindOptions? BindOptions { get; set; }
    public VolumeOptions? VolumeOptions { get; set; }
    public TmpfsOptions? TmpfsOptions { get; set; }
}

public sealed record BindOptions
{
    public string? Propagation { get; set; }
    public bool NonRecursive { get; set; }
    /// <summary>Create a missing source directory (as -v does) instead of failing.</summary>
    public bool CreateMountpoint { get; set; }
}

public sealed record VolumeOptions
{
    public bool NoCopy { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public DriverConfig? DriverConfig { get; set; }
    public string? Subpath { get; set; }
}

public sealed record DriverConfig
{
    public string? Name { get; set; }
    public Dictionary<string, string>? Options { get; set; }
}

public sealed record TmpfsOptions
{
    public long SizeBytes { get; set; }
    /// <summary>Permission bits of the tmpfs root (0 = the kernel's 1777).</summary>
    public uint Mode { get; set; }
}
