namespace GitOps.Runtime.Networking;

/// <summary>
/// A service address: a virtual IP on a network (and optionally a host port) that spreads new
/// connections over backends in proportion to their weights. Persisted as routers/NAME.json.
/// Protocol tcp or udp is the kernel path (nftables DNAT, a weighted choice per connection);
/// http is the HTTP router (YARP in the daemon, a weighted choice per request, header routes,
/// host/path rules and TLS, request metrics per version): see Http/README.md.
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
    /// <summary>Header routes, host/path rules and TLS of an http router; null for tcp and udp.</summary>
    public Http.HttpRouterSettings? Http { get; set; }

    [System.Text.Json.Serialization.JsonIgnore] public bool IsHttp => Protocol == "http";
}

/// <summary>A container behind a router. An unready or stopped backend gets no new connections.</summary>
public sealed record RouterBackendConfig
{
    /// <summary>Container name or ID.</summary>
    public required string Container { get; set; }
    public int Port { get; set; }
    public int Weight { get; set; } = 1;
    public bool Ready { get; set; } = true;
    /// <summary>
    /// The version this backend belongs to ("stable", "canary", a revision): what header routes name and
    /// what metrics are counted by. Unset: the container's spec-hash label (first 12 hex digits), else "default".
    /// </summary>
    public string? Group { get; set; }
    /// <summary>The service this backend serves (what host/path rules name). Unset: the container's service label.</summary>
    public string? Service { get; set; }
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
    public Http.HttpRouterSettings? Http { get; set; }
}
