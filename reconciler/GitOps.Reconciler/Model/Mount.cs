namespace GitOps.Reconciler.Model;

/// <summary>
/// Something mounted into a container. <see cref="Source"/> is a volume, claim, secret or config key, a host
/// path (relative paths are relative to the application's directory and stay relative, so a checkout's location
/// never changes the spec), or null for tmpfs/ephemeral. For secrets and configs, <see cref="Key"/> picks one
/// key of a multi-key object; null mounts the whole object (a single-value Compose secret as a file, a
/// Kubernetes Secret as a directory of its keys).
/// </summary>
internal sealed record Mount(
    MountType Type,
    string? Source,
    string Target,
    bool ReadOnly,
    string? SubPath,
    string? Key,
    int? Mode,
    string? Uid,
    string? Gid,
    long? SizeBytes,
    bool CreateHostPath,
    string? Propagation,
    bool NoCopy);
