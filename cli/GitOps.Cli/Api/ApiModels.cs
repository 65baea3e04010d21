using System.Text.Json.Serialization;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Exec;
using GitOps.Runtime.Images;

namespace GitOps.Cli.Api;

// The daemon's HTTP/JSON API, shaped after Docker's Engine API so that its users feel at home.

public sealed record ErrorResponse(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("exitCode")] int? ExitCode = null);

public sealed record IdResponse(string Id, IReadOnlyList<string>? Warnings = null);

public sealed record VersionResponse(string Version, string ApiVersion, string Os, string Arch, string KernelVersion,
    int CgroupVersion, string Root, DateTime BuildTime);

public sealed record InfoResponse(int Containers, int ContainersRunning, int ContainersPaused, int ContainersStopped,
    int Images, string Driver, string CgroupDriver, int CgroupVersion, string DockerRootDir, string KernelVersion,
    string OperatingSystem, int NCPU, long MemTotal, string ServerVersion);

public sealed record WaitResponse(int StatusCode, WaitError? Error = null);
public sealed record WaitError(string Message);

public sealed record CommitRequest(IReadOnlyList<string>? Changes);

public sealed record ChangeItem(string Path, int Kind);

public sealed record TopResponse(IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes);

public sealed record ImageRmItem(string? Untagged = null, string? Deleted = null);

public sealed record ExecInspect(string ID, bool Running, int? ExitCode, int Pid, string ContainerID, ExecConfig ProcessConfig);

/// <summary>One row of GET /containers/json.</summary>
public sealed record ContainerSummary(
    string Id, IReadOnlyList<string> Names, string Image, string ImageID, string Command, long Created,
    string State, string Status, Dictionary<string, string> Labels, IReadOnlyList<PortSummary> Ports)
{
    public SummaryHostConfig? HostConfig { get; init; }
    public SummaryNetworkSettings? NetworkSettings { get; init; }
}

public sealed record SummaryHostConfig(string NetworkMode);

public sealed record SummaryNetworkSettings(Dictionary<string, SummaryNetwork> Networks);

public sealed record SummaryNetwork(string NetworkID, string IPAddress);

public sealed record PortSummary(string? IP, int PrivatePort, int? PublicPort, string Type);

/// <summary>One row of GET /images/json.</summary>
public sealed record ImageSummary(string Id, IReadOnlyList<string> RepoTags, IReadOnlyList<string> RepoDigests,
    long Created, long Size, int Containers, Dictionary<string, string>? Labels);

/// <summary>GET /images/NAME/json.</summary>
public sealed record ImageInspect(string Id, IReadOnlyList<string> RepoTags, IReadOnlyList<string> RepoDigests,
    DateTime Created, string? Author, string Architecture, string Os, long Size, ImageRuntimeConfig Config,
    RootFs RootFS, IReadOnlyList<HistoryEntry>? History, GraphDriverData GraphDriver);

public sealed record GraphDriverData(string Name, Dictionary<string, string> Data);

/// <summary>GET /containers/ID/json, Docker's layout.</summary>
public sealed record ContainerInspect
{
    public required string Id { get; init; }
    public DateTime Created { get; init; }
    public required string Path { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public required StateInspect State { get; init; }
    public required string Image { get; init; }
    public string ResolvConfPath { get; init; } = "";
    public string HostnamePath { get; init; } = "";
    public string HostsPath { get; init; } = "";
    public string LogPath { get; init; } = "";
    public required string Name { get; init; }
    public int RestartCount { get; init; }
    public string Driver { get; init; } = "overlay";
    public string Platform { get; init; } = "linux";
    public required HostConfig HostConfig { get; init; }
    public required GraphDriverData GraphDriver { get; init; }
    public IReadOnlyList<MountInspect> Mounts { get; init; } = [];
    public required ConfigInspect Config { get; init; }
    public NetworkSettingsInspect NetworkSettings { get; init; } = new();
}

public sealed record StateInspect(string Status, bool Running, bool Paused, bool Restarting, bool OOMKilled, bool Dead,
    int Pid, int ExitCode, string Error, DateTime StartedAt, DateTime FinishedAt, HealthInspect? Health);

/// <summary>State.Health as Docker shows it (absent without a health check).</summary>
public sealed record HealthInspect(string Status, int FailingStreak, IReadOnlyList<HealthLogInspect> Log);

public sealed record HealthLogInspect(DateTime Start, DateTime End, int ExitCode, string Output);

public sealed record ConfigInspect
{
    public string Hostname { get; init; } = "";
    public string Domainname { get; init; } = "";
    public string User { get; init; } = "";
    public bool AttachStdin { get; init; }
    public bool AttachStdout { get; init; }
    public bool AttachStderr { get; init; }
    public Dictionary<string, EmptyObject>? ExposedPorts { get; init; }
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public bool StdinOnce { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string>? Cmd { get; init; }
    public HealthConfig? Healthcheck { get; init; }
    public string Image { get; init; } = "";
    public Dictionary<string, EmptyObject>? Volumes { get; init; }
    public string WorkingDir { get; init; } = "";
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
    public string StopSignal { get; init; } = "";
    public int StopTimeout { get; init; }
}

public sealed record MountInspect(string Type, string? Name, string Source, string Destination, string? Driver, string Mode, bool RW, string Propagation);

public sealed record NetworkSettingsInspect
{
    public string SandboxKey { get; init; } = "";
    public Dictionary<string, IReadOnlyList<PortBinding>?> Ports { get; init; } = [];
    public string IPAddress { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string MacAddress { get; init; } = "";
    public Dictionary<string, EndpointInspect> Networks { get; init; } = [];
}

public sealed record PortBinding(string HostIp, string HostPort);

public sealed record EndpointInspect(string NetworkID, string EndpointID, string Gateway, string IPAddress, int IPPrefixLen,
    string MacAddress, IReadOnlyList<string>? Aliases, IReadOnlyList<string>? DNSNames);

/// <summary>POST /auth (gitops login).</summary>
public sealed record AuthRequest
{
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? ServerAddress { get; set; }
}

public sealed record AuthResponse(string Status);

/// <summary>One row of GET /images/NAME/history, newest first.</summary>
public sealed record HistoryItem(string Id, long Created, string CreatedBy, IReadOnlyList<string>? Tags, long Size, string Comment);

