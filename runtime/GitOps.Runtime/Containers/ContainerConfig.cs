using GitOps.Runtime.Images;

namespace GitOps.Runtime.Containers;

/// <summary>What a container is made from: fixed at create, persisted as config.json.</summary>
public sealed record ContainerConfig
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary>The image as the user named it.</summary>
    public required string Image { get; init; }
    public required string ImageId { get; init; }
    public DateTimeOffset Created { get; init; }
    /// <summary>The resolved command (Docker's Path and Args): entrypoint and cmd combined per Docker's table.</summary>
    public required string Path { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string WorkingDir { get; init; } = "";
    public string User { get; init; } = "";
    public required string Hostname { get; init; }
    public string Domainname { get; init; } = "";
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public bool StdinOnce { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
    public string StopSignal { get; init; } = "SIGTERM";
    /// <summary>Seconds between the stop signal and SIGKILL (Docker's default 10).</summary>
    public int StopTimeout { get; init; } = 10;
    public HealthConfig? Healthcheck { get; init; }
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];
    public IReadOnlyList<string> Volumes { get; init; } = [];
    public required HostConfig HostConfig { get; init; }
}

public sealed record HostConfig
{
    public bool AutoRemove { get; init; }
    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.No;
    public bool Init { get; init; }
    public long Memory { get; init; }
    public long MemorySwap { get; init; }
    public long NanoCpus { get; init; }
    public long CpuShares { get; init; }
    public long PidsLimit { get; init; }
    /// <summary>bridge (Docker's default), host, none, container:NAME or a network name.</summary>
    public string NetworkMode { get; init; } = "bridge";
    public bool ReadonlyRootfs { get; init; }
    public long LogMaxSize { get; init; } = Logs.JsonFileLog.DefaultMaxSize;
    public int LogMaxFiles { get; init; } = Logs.JsonFileLog.DefaultMaxFiles;
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
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
    public string Status { get; init; } = ContainerStatus.Created;
    public bool Running { get; init; }
    public bool Restarting { get; init; }
    public bool OOMKilled { get; init; }
    public bool Dead { get; init; }
    public int Pid { get; init; }
    /// <summary>The process's start time (clock ticks after boot): tells our PID 1 from a later process with the same PID.</summary>
    public ulong PidStartTime { get; init; }
    public int ExitCode { get; init; }
    public string Error { get; init; } = "";
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.MinValue;
    public DateTimeOffset FinishedAt { get; init; } = DateTimeOffset.MinValue;
    public int RestartCount { get; init; }
    /// <summary>Stopped or killed by a user: restart policies (but "always" at daemon start) leave it alone.</summary>
    public bool ManuallyStopped { get; init; }
    public HealthState? Health { get; init; }
}

public static class ContainerStatus
{
    public const string Created = "created", Running = "running", Paused = "paused", Restarting = "restarting",
        Removing = "removing", Exited = "exited", Dead = "dead";
}

public sealed record HealthState(string Status, int FailingStreak, IReadOnlyList<HealthLog> Log);

public sealed record HealthLog(DateTimeOffset Start, DateTimeOffset End, int ExitCode, string Output);
