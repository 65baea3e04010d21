using GitOps.Runtime.Images;
using GitOps.Runtime.Secrets;
using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Containers;

/// <summary>What a container is made from: fixed at create, persisted as config.json.</summary>
public sealed record ContainerConfig
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The image as the user named it.</summary>
    public required string Image { get; set; }
    public required string ImageId { get; set; }
    public DateTimeOffset Created { get; set; }
    /// <summary>The resolved command (Docker's Path and Args): entrypoint and cmd combined per Docker's table.</summary>
    public required string Path { get; set; }
    public IReadOnlyList<string> Args { get; set; } = [];
    public IReadOnlyList<string>? Cmd { get; set; }
    public IReadOnlyList<string>? Entrypoint { get; set; }
    public IReadOnlyList<string> Env { get; set; } = [];
    public string WorkingDir { get; set; } = "";
    public string User { get; set; } = "";
    public required string Hostname { get; set; }
    public string Domainname { get; set; } = "";
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public string StopSignal { get; set; } = "SIGTERM";
    /// <summary>Seconds between the stop signal and SIGKILL (Docker's default 10).</summary>
    public int StopTimeout { get; set; } = 10;
    public HealthConfig? Healthcheck { get; set; }
    public IReadOnlyList<string> ExposedPorts { get; set; } = [];
    public IReadOnlyList<string> Volumes { get; set; } = [];
    /// <summary>Networks joined besides the one of NetworkMode, with their aliases and static addresses.</summary>
    public Dictionary<string, Networking.EndpointRequest> Networks { get; set; } = [];
    public required HostConfig HostConfig { get; set; }
    /// <summary>Volumes, binds and tmpfs mounts as resolved at create (Docker's MountPoints).</summary>
    public IReadOnlyList<MountPoint> Mounts { get; set; } = [];
    /// <summary>Secrets and configs mounted as files, and variables set from them: references only, never values.</summary>
    public IReadOnlyList<SecretReference> Secrets { get; set; } = [];
    public IReadOnlyList<SecretReference> Configs { get; set; } = [];
    public IReadOnlyList<SecretEnv> SecretEnv { get; set; } = [];
    public IReadOnlyList<SecretEnvFrom> SecretEnvFrom { get; set; } = [];
    /// <summary>Kubernetes' environment rules (references and templates only, never a secret's value); null for Docker's.</summary>
    public KubeEnv? KubeEnv { get; set; }
}

public sealed record HostConfig
{
    public bool AutoRemove { get; set; }
    public RestartPolicy RestartPolicy { get; set; } = RestartPolicy.No;
    public bool Init { get; set; }
    public long Memory { get; set; }
    public long MemorySwap { get; set; }
    public long NanoCpus { get; set; }
    public long CpuShares { get; set; }
    public long PidsLimit { get; set; }
    /// <summary>bridge (Docker's default), host, none, container:NAME or a network name.</summary>
    public string NetworkMode { get; set; } = "bridge";
    public bool ReadonlyRootfs { get; set; }
    public long LogMaxSize { get; set; } = Logs.JsonFileLog.DefaultMaxSize;
    public int LogMaxFiles { get; set; } = Logs.JsonFileLog.DefaultMaxFiles;
    /// <summary>"80/tcp" → host bindings (docker run -p); an empty binding list means "any free host port".</summary>
    public Dictionary<string, List<Networking.PortBindingRequest>> PortBindings { get; set; } = [];
    /// <summary>docker run -P: every exposed port to a free ephemeral host port.</summary>
    public bool PublishAllPorts { get; set; }
    public IReadOnlyList<string> CapAdd { get; set; } = [];
    public IReadOnlyList<string> CapDrop { get; set; } = [];
    /// <summary>-v as given: [SOURCE:]DESTINATION[:MODE].</summary>
    public IReadOnlyList<string> Binds { get; set; } = [];
    /// <summary>--mount, in Docker's API shape.</summary>
    public IReadOnlyList<MountRequest> Mounts { get; set; } = [];
    /// <summary>--tmpfs: destination → options (size=64m,mode=1777,...).</summary>
    public Dictionary<string, string> Tmpfs { get; set; } = [];
    /// <summary>--volumes-from CONTAINER[:ro|:rw].</summary>
    public IReadOnlyList<string> VolumesFrom { get; set; } = [];
    /// <summary>--privileged: every capability, every device, no seccomp filter, no masked or read-only /proc paths (Docker's meaning).</summary>
    public bool Privileged { get; set; }
    /// <summary>--pid: "" (a PID namespace of its own), "host", or "container:NAME".</summary>
    public string PidMode { get; set; } = "";
    /// <summary>--ipc: "" or "private" (an IPC namespace of its own), "shareable", "host", or "container:NAME".</summary>
    public string IpcMode { get; set; } = "";
    /// <summary>--security-opt, as Docker takes it: "seccomp=unconfined", "seccomp=PROFILE-JSON", "no-new-privileges[=true|false]", "label=…", "apparmor=…".</summary>
    public IReadOnlyList<string> SecurityOpt { get; set; } = [];
    /// <summary>--device HOST[:CONTAINER[:PERMISSIONS]], in Docker's API shape.</summary>
    public IReadOnlyList<DeviceMapping> Devices { get; set; } = [];
    /// <summary>--dns: nameservers of the container's resolv.conf (where the embedded DNS does not answer).</summary>
    public IReadOnlyList<string> Dns { get; set; } = [];
    /// <summary>--dns-search: the search domains of the container's resolv.conf.</summary>
    public IReadOnlyList<string> DnsSearch { get; set; } = [];
    /// <summary>--dns-option: resolver options ("ndots:5"), replacing the default ones of the same name.</summary>
    public IReadOnlyList<string> DnsOptions { get; set; } = [];
}

/// <summary>One --device: a host device node made available in the container (Docker's DeviceMapping).</summary>
public sealed record DeviceMapping
{
    public string PathOnHost { get; set; } = "";
    public string PathInContainer { get; set; } = "";
    /// <summary>Any of r, w, m (read, write, mknod); Docker's default "rwm".</summary>
    public string CgroupPermissions { get; set; } = "rwm";
}

/// <summary>--restart: no, on-failure[:max], always, unless-stopped.</summary>
public sealed record RestartPolicy(string Name, int MaximumRetryCount = 0)
{
    public static readonly RestartPolicy No = new("no");

    public static RestartPolicy Parse(string? value)
    {
        if (string.IsNullOrEmpty(value) || value == "no") return No;
        var parts = value.Split(':', 2);
        switch (parts[0])
        {
            case "always" or "unless-stopped":
                if (parts.Length > 1) throw new InvalidArgumentException($"invalid restart policy \"{value}\": maximum retry count can only be used with on-failure");
                return new RestartPolicy(parts[0]);
            case "on-failure":
                var max = 0;
                if (parts.Length > 1 && (!int.TryParse(parts[1], out max) || max < 0))
                    throw new InvalidArgumentException($"invalid restart policy \"{value}\": maximum retry count must be a non-negative integer");
                return new RestartPolicy("on-failure", max);
            default:
                throw new InvalidArgumentException($"invalid restart policy \"{value}\": expected no, always, unless-stopped or on-failure[:max-retries]");
        }
    }

    public override string ToString() => Name == "on-failure" && MaximumRetryCount > 0 ? $"on-failure:{MaximumRetryCount}" : Name;
}

/// <summary>What a container is doing: persisted as state.json on every change.</summary>
public sealed record ContainerState
{
    public string Status { get; set; } = ContainerStatus.Created;
    public bool Running { get; set; }
    public bool Restarting { get; set; }
    public bool OOMKilled { get; set; }
    public bool Dead { get; set; }
    public int Pid { get; set; }
    /// <summary>The process's start time (clock ticks after boot): tells our PID 1 from a later process with the same PID.</summary>
    public ulong PidStartTime { get; set; }
    public int ExitCode { get; set; }
    public string Error { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; } = DateTimeOffset.MinValue;
    public DateTimeOffset FinishedAt { get; set; } = DateTimeOffset.MinValue;
    public int RestartCount { get; set; }
    /// <summary>Stopped or killed by a user: restart policies (but "always" at daemon start) leave it alone.</summary>
    public bool ManuallyStopped { get; set; }
    /// <summary>Null without a health check; see <see cref="Health.HealthRules"/>.</summary>
    public Health.HealthState? Health { get; set; }
}

public static class ContainerStatus
{
    public const string Created = "created", Running = "running", Paused = "paused", Restarting = "restarting",
        Removing = "removing", Exited = "exited", Dead = "dead";
}
