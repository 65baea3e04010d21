namespace GitOps.Runtime.Networking;

/// <summary>
/// A service address: a virtual IP on a network (and optionally a host port) that spreads new
/// connections over backends in proportion to their weights. Persisted as routers/NAME.json.
/// </summary>
public sealed record RouterConfig
{
    public required string Name { get; set; }
    /// <summary>Network ID.</summary>
    public required string Network { get; set; }
    public required string Vip { get; set; }
    public string Protocol { get; set; } = "tcp";
    public int Port { get; set; }
    public int? HostPort { get; set; }
    public List<RouterBackendConfig> Backends { get; set; } = [];
    public Dictionary<string, string> Labels { get; set; } = [];
}

/// <summary>A container behind a router. An unready or stopped backend gets no new connections.</summary>
public sealed record RouterBackendConfig
{
    /// <summary>Container name or ID.</summary>
    public required string Container { get; set; }
    public int Port { get; set; }
    public int Weight { get; set; } = 1;
    public bool Ready { get; set; } = true;
}

public sealed record RouterCreate
{
    public required string Name { get; set; }
    public required string Network { get; set; }
    public string Protocol { get; set; } = "tcp";
    public int Port { get; set; }
    public int? HostPort { get; set; }
    public List<RouterBackendConfig> Backends { get; set; } = [];
    public Dictionary<string, string> Labels { get; set; } = [];
}
