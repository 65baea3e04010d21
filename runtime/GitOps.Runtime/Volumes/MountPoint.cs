namespace GitOps.Runtime.Volumes;

/// <summary>
/// One mount of a container as resolved at create: a volume (named or anonymous), a bind of a host
/// path, or a tmpfs. Persisted in the container's config; container inspect shows it as Docker's
/// Mounts entry.
/// </summary>
public sealed record MountPoint
{
    public const string VolumeType = "volume", BindType = "bind", TmpfsType = "tmpfs";

    public required string Type { get; set; }
    /// <summary>The volume's name (volumes only).</summary>
    public string? Name { get; set; }
    /// <summary>Host path: the bound directory or file, or the volume's mount point; "" for tmpfs.</summary>
    public string Source { get; set; } = "";
    public required string Destination { get; set; }
    /// <summary>"local" for volumes.</summary>
    public string? Driver { get; set; }
    /// <summary>The mode as written in -v (ro, rw, nocopy, ...); "" for --mount.</summary>
    public string Mode { get; set; } = "";
    public bool RW { get; set; } = true;
    /// <summary>rprivate for binds, "" otherwise (as Docker reports).</summary>
    public string Propagation { get; set; } = "";
    /// <summary>Fill an empty volume from the image's content at the destination (never for binds).</summary>
    public bool CopyData { get; set; }
    /// <summary>A path inside the volume to mount instead of its root (volume-subpath, Kubernetes subPath).</summary>
    public string? SubPath { get; set; }
    /// <summary>Binds from -v: a missing host directory is created (at create and at each start), as Docker does.</summary>
    public bool CreateHostPath { get; set; }
    /// <summary>Bind only the source itself, not what is mounted below it.</summary>
    public bool NonRecursive { get; set; }
    /// <summary>tmpfs: mount options (size=..., mode=..., noexec).</summary>
    public IReadOnlyList<string> TmpfsOptions { get; set; } = [];
}
