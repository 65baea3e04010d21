namespace GitOps.Runtime.Networking;

/// <summary>A network of this engine, persisted as networks/ID.json. Bridge is the host interface.</summary>
public sealed record NetworkConfig
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string Driver { get; set; } = "bridge";
    public required string Subnet { get; set; }
    public required string Gateway { get; set; }
    public required string Bridge { get; set; }
    /// <summary>No route out of the network (docker network create --internal).</summary>
    public bool Internal { get; set; }
    /// <summary>The default "bridge" network: like Docker's, it has no name resolution between containers.</summary>
    public bool IsDefault { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public DateTimeOffset Created { get; set; }

    public bool Dns => !IsDefault;
    public Ipv4Cidr Cidr => Ipv4Cidr.Parse(Subnet);
}

/// <summary>A container's attachment to one network.</summary>
public sealed record Endpoint
{
    public required string NetworkId { get; set; }
    public required string NetworkName { get; set; }
    public required string EndpointId { get; set; }
    public required string IPAddress { get; set; }
    public int PrefixLen { get; set; }
    public required string Gateway { get; set; }
    public required string MacAddress { get; set; }
    /// <summary>The host side of the veth pair.</summary>
    public required string HostInterface { get; set; }
    public required string ContainerInterface { get; set; }
    public IReadOnlyList<string> Aliases { get; set; } = [];
}

/// <summary>A published port: host address and port to container port.</summary>
public sealed record PublishedPort
{
    public required string Protocol { get; set; }
    public int ContainerPort { get; set; }
    /// <summary>0.0.0.0 for every host address.</summary>
    public string HostIp { get; set; } = "0.0.0.0";
    public int HostPort { get; set; }
}

/// <summary>What the network layer keeps about a started container (containers/ID/network.json).</summary>
public sealed record ContainerNetwork
{
    public List<Endpoint> Endpoints { get; set; } = [];
    public List<PublishedPort> Ports { get; set; } = [];
    public int Pid { get; set; }
}

/// <summary>docker run --network NAME --network-alias A --ip X, for one network.</summary>
public sealed record EndpointRequest
{
    public IReadOnlyList<string> Aliases { get; set; } = [];
    public string? IPv4Address { get; set; }
}

/// <summary>One -p binding as requested; an empty host port means "any free port".</summary>
public sealed record PortBindingRequest
{
    public string HostIp { get; set; } = "";
    public string HostPort { get; set; } = "";
}
