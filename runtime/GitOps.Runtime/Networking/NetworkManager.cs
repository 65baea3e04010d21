using System.Net;
using System.Security.Cryptography;
using System.Text;
using GitOps.Runtime.Events;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Linux.Netlink;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Networking;

/// <summary>How a container is connected, decided at create from --network.</summary>
public enum NetworkModeKind { Bridge, None, Host, Container }

public sealed record NetworkPlan(NetworkModeKind Kind, IReadOnlyList<string> Networks, string? JoinContainer);

/// <summary>
/// Bridge networks of one daemon: a Linux bridge per network with the gateway address, a veth pair
/// per container endpoint (the peer created directly in the container's namespace), address
/// management, egress NAT and isolation between networks (nftables), published ports, the embedded
/// DNS server and the weighted service routers. Host-wide names (bridges, veths, the nft table)
/// carry this instance's hash, so daemons with different roots never meet.
/// </summary>
public sealed partial class NetworkManager : IDisposable, Housekeeping.INetworkPruner
{
    public const string DefaultNetwork = "bridge";
    static readonly string[] Predefined = [DefaultNetwork, "host", "none"];

    readonly EnginePaths _paths;
    readonly EventBus _events;
    readonly string _instance;
    readonly Lock _gate = new();
    readonly Dictionary<string, (NetworkConfig Config, Ipam Ipam)> _networks = new(StringComparer.Ordinal);
    readonly NftRuleset _nft;
    readonly DnsServer _dns;

    public NetworkManager(EnginePaths paths, EventBus events)
    {
        _paths = paths;
        _events = events;
        _instance = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(paths.Root).TrimEnd('/'))))[..4];
        _nft = new NftRuleset(paths.InstanceName.Replace('-', '_'));
        _dns = new DnsServer(Resolve, DnsServer.HostResolvers());
        Directory.CreateDirectory(NetworksDir);
        Directory.CreateDirectory(RoutersDir);
    }

    string NetworksDir => Path.Combine(_paths.Root, "networks");
    string RoutersDir => Path.Combine(_paths.Root, "routers");
    string NetworkFile(string id) => Path.Combine(NetworksDir, id + ".json");

    public string NftTable => _nft.Table;

    /// <summary>Loads the networks, makes sure the default one and every bridge exist and applies the rules.</summary>
    public void Initialize()
    {
        Sysctl.EnableForwarding();
        foreach (var file in Directory.EnumerateFiles(NetworksDir, "*.json"))
        {
            var cfg = AtomicFile.ReadJson(file, RuntimeJson.Default.NetworkConfig);
            if (cfg is not null) _networks[cfg.Id] = (cfg, new Ipam(cfg.Cidr, IPAddress.Parse(cfg.Gateway)));
        }
        if (!_networks.Values.Any(n => n.Config.IsDefault))
            CreateNetwork(new NetworkCreate { Name = DefaultNetwork }, isDefault: true);
        LoadRouters();
        using (var rt = RtNetlink.Open())
            foreach (var (cfg, _) in _networks.Values) EnsureBridge(rt, cfg);
        StartHttpRouters();
    }

    // ---- networks ----------------------------------------------------------------------------

    public NetworkConfig Create(NetworkCreate request)
    {
        if (Predefined.Contains(request.Name))
            throw new ConflictException($"{request.Name} is a pre-defined network and cannot be created");
        return CreateNetwork(request, isDefault: false);
    }

    NetworkConfig CreateNetwork(NetworkCreate request, bool isDefault)
    {
        if (request.Driver is not ("bridge" or "" or null))
            throw new InvalidArgumentException($"network driver \"{request.Driver}\" is not supported: only bridge");
        if (!Ids.IsValidName(request.Name) && !(request.Name.Length == 1 && char.IsAsciiLetterOrDigit(request.Name[0])))
            throw new InvalidArgumentException($"invalid network name \"{InputLimits.Clip(request.Name)}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        if (request.Name.Length > InputLimits.MaxName)
            throw new InvalidArgumentException($"invalid network name \"{InputLimits.Clip(request.Name)}\": at most {InputLimits.MaxName} characters");
        var labelErrors = new List<string>();
        InputLimits.CheckLabels(request.Labels, "Labels", labelErrors);
        if (labelErrors.Count > 0) throw new InvalidArgumentException(string.Join("\n", labelErrors));
        // The host-wide lock keeps two daemons from picking the same free subnet at the same moment.
        using var hostLock = HostLock();
        lock (_gate)
        {
            if (_networks.Values.Any(n => n.Config.Name == request.Name))
                throw new ConflictException($"network with name {request.Name} already exists");
            var subnet = request.Subnet is { Length: > 0 } s ? Ipv4Cidr.Parse(s) : PickSubnet();
            var taken = HostRoutes.Read().Concat(_networks.Values.Select(n => n.Config.Cidr)).ToList();
            var clash = taken.FirstOrDefault(t => t.Overlaps(subnet));
            if (clash != default)
                throw new ConflictException($"invalid pool request: Pool overlaps with other one on this address space ({subnet} overlaps {clash})");
            var gateway = request.Gateway is { Length: > 0 } g ? IPAddress.Parse(g) : subnet.Host(1);
            if (!subnet.Contains(gateway)) throw new InvalidArgumentException($"gateway {gateway} is not in subnet {subnet}");
            var id = Ids.New();
            var cfg = new NetworkConfig
            {
                Id = id,
                Name = request.Name,
                Subnet = subnet.ToString(),
                Gateway = gateway.ToString(),
                Bridge = "g" + _instance + id[..10],
                Internal = request.Internal,
                IsDefault = isDefault,
                Labels = request.Labels,
                Created = DateTimeOffset.UtcNow,
            };
            using (var rt = RtNetlink.Open()) EnsureBridge(rt, cfg);
            AtomicFile.WriteJson(NetworkFile(id), cfg, RuntimeJson.Default.NetworkConfig);
            _networks[id] = (cfg, new Ipam(subnet, gateway));
            ApplyRules();
            Publish("create", cfg);
            return cfg;
        }
    }

    /// <summary>Docker's default pools: 172.17-31.0.0/16, then 192.168.x.0/20; the first that clashes with no route.</summary>
    Ipv4Cidr PickSubnet()
    {
        var taken = HostRoutes.Read().Concat(_networks.Values.Select(n => n.Config.Cidr)).ToList();
        var candidates = Enumerable.Range(17, 15).Select(b => Ipv4Cidr.Parse($"172.{b}.0.0/16"))
            .Concat(Enumerable.Range(0, 16).Select(i => Ipv4Cidr.Parse($"192.168.{i * 16}.0/20")));
        foreach (var c in candidates)
            if (!taken.Any(t => t.Overlaps(c))) return c;
        throw new ConflictException("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
    }

    static SafeFd HostLock()
    {
        Directory.CreateDirectory("/run/gitops");
        var fd = Sys.Open("/run/gitops/networks.lock", Sys.O_RDWR | Sys.O_CREAT, 0x180);
        while (!Sys.TryLockExclusive(fd)) Thread.Sleep(5);
        return fd;
    }

    void EnsureBridge(RtNetlink rt, NetworkConfig cfg)
    {
        var index = rt.LinkIndex(cfg.Bridge);
        if (index < 0)
        {
            rt.CreateBridge(cfg.Bridge);
            index = rt.LinkIndex(cfg.Bridge);
        }
        rt.AddAddress(index, IPAddress.Parse(cfg.Gateway), cfg.Cidr.Prefix);
        rt.SetUp(index);
        Sysctl.RouteLocalnet(cfg.Bridge);
        lock (_routerGate)
            foreach (var r in _routers.Values.Where(r => r.Network == cfg.Id))
                rt.AddAddress(index, IPAddress.Parse(r.Vip), 32);
    }

    public IReadOnlyList<NetworkConfig> List()
    {
        lock (_gate) return _networks.Values.Select(n => n.Config).OrderBy(n => n.Created).ToList();
    }

    public NetworkConfig? Find(string idOrName)
    {
        lock (_gate)
        {
            var byName = _networks.Values.FirstOrDefault(n => n.Config.Name == idOrName);
            if (byName.Config is not null) return byName.Config;
            if (_networks.TryGetValue(idOrName, out var byId)) return byId.Config;
            var prefix = _networks.Values.Where(n => n.Config.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
            return prefix.Count == 1 && idOrName.Length >= 3 ? prefix[0].Config : null;
        }
    }

    public NetworkConfig Get(string idOrName) => Find(idOrName) ?? throw new NotFoundException($"network {idOrName} not found");

    public void Remove(string idOrName)
    {
        var cfg = Get(idOrName);
        if (cfg.IsDefault) throw new ConflictException($"{cfg.Name} is a pre-defined network and cannot be removed");
        var users = ContainersOn(cfg.Id);
        if (users.Count > 0)
            throw new ConflictException($"error while removing network: network {cfg.Name} id {cfg.Id} has active endpoints ({string.Join(", ", users)})");
        lock (_routerGate)
            if (_routers.Values.FirstOrDefault(r => r.Network == cfg.Id) is { } router)
                throw new ConflictException($"error while removing network: router {router.Name} uses network {cfg.Name}");
        lock (_gate)
        {
            _networks.Remove(cfg.Id);
            File.Delete(NetworkFile(cfg.Id));
        }
        using (var rt = RtNetlink.Open()) rt.TryDeleteLink(cfg.Bridge);
        ApplyRules();
        Publish("destroy", cfg);
    }

    /// <summary>network prune (and system prune's network step): unused user networks that the filter accepts.</summary>
    public IReadOnlyList<string> Prune(Housekeeping.PruneFilter? filter = null)
    {
        var removed = new List<string>();
        foreach (var n in List())
        {
            if (n.IsDefault || ContainersOn(n.Id).Count > 0) continue;
            if (filter is not null && !filter.Matches(n.Labels, n.Created)) continue;
            lock (_routerGate) if (_routers.Values.Any(r => r.Network == n.Id)) continue;
            Remove(n.Id);
            removed.Add(n.Name);
        }
        return removed;
    }

    IReadOnlyList<string> Housekeeping.INetworkPruner.PruneNetworks(Housekeeping.PruneFilter filter) => Prune(filter);

    /// <summary>Names of containers with an endpoint on the network.</summary>
    public IReadOnlyList<string> ContainersOn(string networkId)
    {
        lock (_attachGate) return _attached.Values.Where(a => a.State.Endpoints.Any(e => e.NetworkId == networkId)).Select(a => a.Name).ToList();
    }

    void Publish(string action, NetworkConfig cfg, string? container = null)
    {
        var attrs = new Dictionary<string, string> { ["name"] = cfg.Name, ["type"] = cfg.Driver };
        if (container is not null) attrs["container"] = container;
        _events.Publish(EngineEvent.Create("network", action, cfg.Id, attrs));
    }

    /// <summary>Re-renders and applies this daemon's nftables table.</summary>
    public void ApplyRules()
    {
        List<NetworkConfig> networks;
        lock (_gate) networks = _networks.Values.Select(n => n.Config).ToList();
        List<PortRule> ports;
        lock (_attachGate)
            ports = _attached.Values.SelectMany(a => a.State.Ports.Select(p =>
                new PortRule(p.Protocol, p.HostIp, p.HostPort, a.State.Endpoints[0].IPAddress, p.ContainerPort))).ToList();
        _nft.Apply(_nft.Render(networks, ports, RouterRules()));
        UpdateHttpRouters();
    }

    public void Dispose()
    {
        DisposeHttpRouters();
        _dns.Dispose();
    }
}

/// <summary>docker network create's input.</summary>
public sealed record NetworkCreate
{
    public required string Name { get; set; }
    public string? Driver { get; set; }
    public string? Subnet { get; set; }
    public string? Gateway { get; set; }
    public bool Internal { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
}
