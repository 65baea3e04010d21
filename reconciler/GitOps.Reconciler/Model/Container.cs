namespace GitOps.Reconciler.Model;

/// <summary>
/// One container of a replica. <see cref="Entrypoint"/>/<see cref="Command"/> are null when the image's own
/// ENTRYPOINT/CMD apply. Environment is sorted by name for Compose (a mapping) and kept in written order for
/// Kubernetes (where later entries may refer to earlier ones). Mounts are sorted by target path, which also
/// puts a parent directory's mount before the mounts inside it. <see cref="Sidecar"/> marks a Kubernetes init
/// container with <c>restartPolicy: Always</c> (a native sidecar): it starts in the init sequence and keeps running.
/// </summary>
internal sealed record Container(
    string Name,
    string Image,
    BuildSpec? Build,
    PullPolicy Pull,
    ValueList<string>? Entrypoint,
    ValueList<string>? Command,
    ValueList<EnvVar> Env,
    ValueList<EnvFrom> EnvFrom,
    string? User,
    string? WorkingDir,
    ValueList<ContainerPort> Ports,
    ValueList<Mount> Mounts,
    Probe? Health,
    Probe? Liveness,
    Probe? Startup,
    Resources Resources,
    SecurityOptions Security,
    bool Init,
    bool Tty,
    bool StdinOpen,
    string StopSignal,
    ValueMap<string> Sysctls,
    ValueMap<Ulimit> Ulimits,
    Logging? Logging,
    string? Platform,
    bool Sidecar = false);
