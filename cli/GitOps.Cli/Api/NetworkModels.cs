using GitOps.Runtime.Networking;

namespace GitOps.Cli.Api;

/// <summary>GET /networks/ID, Docker's shape.</summary>
public sealed record NetworkInspect
{
    public required string Name { get; set; }
    public required string Id { get; set; }
    public DateTime Created { get; set; }
    public string Scope { get; set; } = "local";
    public string Driver { get; set; } = "bridge";
    public bool Internal { get; set; }
    public required IpamInspect IPAM { get; set; }
    public Dictionary<string, NetworkContainer> Containers { get; set; } = [];
    public Dictionary<string, string> Options { get; set; } = [];
    public Dictionary<string, string> Labels { get; set; } = [];
}

public sealed record IpamInspect(string Driver, IReadOnlyList<IpamConfig> Config);
public sealed record IpamConfig(string Subnet, string Gateway);
public sealed record NetworkContainer(string Name, string EndpointID, string MacAddress, string IPv4Address);

/// <summary>POST /networks/ID/connect and /disconnect.</summary>
public sealed record NetworkConnectRequest
{
    public required string Container { get; set; }
    public EndpointRequest EndpointConfig { get; set; } = new();
    public bool Force { get; set; }
}

public sealed record PruneNetworksResponse(IReadOnlyList<string> NetworksDeleted);

/// <summary>POST /routers/NAME/drain: take the container out and wait up to the timeout (the stop grace period) for its connections.</summary>
public sealed record DrainRequest
{
    public required string Container { get; set; }
    public double TimeoutSeconds { get; set; } = 10;
}
