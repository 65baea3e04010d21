namespace GitOps.Reconciler.Ports;

/// <summary>A container as the reconciler sees it: identity, labels, what it runs and its state.</summary>
internal sealed record ContainerView(
    string Id,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    string Image,
    IReadOnlyList<string> Env,
    DateTimeOffset Created)
{
    /// <summary>Docker's status words: created, running, paused, restarting, exited, dead.</summary>
    public string Status { get; init; } = "created";
    public bool Running { get; init; }
    public bool Restarting { get; init; }
    public int ExitCode { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    /// <summary>Stopped or killed by a user, not ended by itself.</summary>
    public bool StoppedByUser { get; init; }
    /// <summary>starting, healthy or unhealthy; null without a health check.</summary>
    public string? Health { get; init; }
    /// <summary>The last health probe's output (why it is unhealthy).</summary>
    public string? HealthOutput { get; init; }
    /// <summary>Host ports the container publishes itself.</summary>
    public IReadOnlyList<HostPort> Published { get; init; } = [];
}

internal readonly record struct HostPort(int Port, string Protocol);

internal sealed record NetworkView(string Id, string Name, IReadOnlyDictionary<string, string> Labels);

internal sealed record VolumeView(string Name, IReadOnlyDictionary<string, string> Labels);

internal sealed record ObjectView(string Id, string Name, bool IsConfig, IReadOnlyDictionary<string, string> Labels);

/// <summary>A service address: a virtual IP (and maybe a host port) balancing over replicas.</summary>
internal sealed record RouterView(string Name, int Port, string Protocol, int? HostPort, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<RouterBackend> Backends);

internal sealed record RouterBackend(string Container, int Port, int Weight, bool Ready);
