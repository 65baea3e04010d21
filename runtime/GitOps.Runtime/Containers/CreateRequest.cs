using GitOps.Runtime.Images;

namespace GitOps.Runtime.Containers;

/// <summary>docker create's input: what the user asked for, before image defaults are merged in.</summary>
public sealed record CreateRequest
{
    public required string Image { get; init; }
    public string? Name { get; init; }
    /// <summary>Replaces the image's CMD when non-empty.</summary>
    public IReadOnlyList<string>? Cmd { get; init; }
    /// <summary>Replaces the image's ENTRYPOINT; [""] resets it.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public string? Hostname { get; init; }
    public string? Domainname { get; init; }
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public bool StdinOnce { get; init; }
    public Dictionary<string, string> Labels { get; init; } = [];
    public string? StopSignal { get; init; }
    public int? StopTimeout { get; init; }
    public HealthConfig? Healthcheck { get; init; }
    public HostConfig HostConfig { get; init; } = new();
}
