using GitOps.Runtime.Linux;
using System.Net;
using System.Net.Sockets;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Linux.Netlink;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Networking;

public sealed partial class NetworkManager
{
    readonly Lock _routerGate = new();
    readonly Dictionary<string, RouterConfig> _routers = new(StringComparer.Ordinal);
    readonly Dictionary<string, PortReservation> _routerPorts = new(StringComparer.Ordinal);

    string RouterFile(string name) => Path.Combine(RoutersDir, name + ".json");

    void LoadRouters()
    {
        foreach (var file in Directory.EnumerateFiles(RoutersDir, "*.json"))
        {
            var r = AtomicFile.ReadJson(file, RuntimeJson.Default.RouterConfig);
            if (r is null || Find(r.Network) is not { } net) continue;
            Ipam(net.Id).Reserve(IPAddress.Parse(r.Vip));
            lock (_routerGate)
            {
                _routers[r.Name] = r;
                if (r.HostPort is { } hp) TryReserveRouterPort(r, hp);
            }
        }
    }

    public RouterConfig CreateRouter(RouterCreate request)
    {
        if (!Ids.IsValidName(request.Name)) throw new InvalidArgumentException($"invalid router name \"{request.Name}\"");
        if (request.Port is <= 0 or > 65535) throw new InvalidArgumentException($"invalid router port {request.Port}: expected 1-65535");
        if (request.Protocol is not ("tcp" or "udp")) throw new InvalidArgumentException($"invalid protocol \"{request.Protocol}\": expected tcp or udp");
        ValidateBackends(request.Backends);
        var net = Get(request.Network);
        lock (_routerGate)
            if (_routers.ContainsKey(request.Name)) throw new ConflictException($"router {request.Name} already exists");
        var vip = Ipam(net.Id).Allocate();
        var router = new RouterConfig
        {
            Name = request.Name, Network = net.Id, Vip = vip.ToString(), Protocol = request.Protocol, Port = request.Port,
            HostPort = request.HostPort, Backends = request.Backends, Labels = request.Labels,
        };
        try
        {
            lock (_routerGate)
            {
                if (request.HostPort is { } hp && !TryReserveRouterPort(router, hp))
                    throw new ConflictException($"Bind for 0.0.0.0:{hp} failed: port is already allocated");
                _routers[router.Name] = router;
            }
            // The host owns the VIP on the bridge so that containers' ARP for it is answered and their
            // packets reach the DNAT rule.
            using (var rt = RtNetlink.Open()) rt.AddAddress(rt.LinkIndex(net.Bridge), vip, 32);
            AtomicFile.WriteJson(RouterFile(router.Name), router, RuntimeJson.Default.RouterConfig);
            ApplyRules();
            return router;
        }
        catch
        {
            RemoveRouterState(router);
            throw;
        }
    }

    bool TryReserveRouterPort(RouterConfig r, int hostPort)
    {
        try
        {
            _routerPorts[r.Name] = PortReservation.Bind(r.Protocol, IPAddress.Any, hostPort);
            return true;
        }
        catch (ErrnoException e) when (e.Errno == Errno.EADDRINUSE) { return false; }
    }

    static void ValidateBackends(IReadOnlyList<RouterBackendConfig> backends)
    {
        var errors = new List<string>();
        for (var i = 0; i < backends.Count; i++)
        {
            var b = backends[i];
            if (string.IsNullOrWhiteSpace(b.Container)) errors.Add($"backends[{i}]: a container name or ID is required");
            if (b.Port is <= 0 or > 65535) errors.Add($"backends[{i}] ({b.Container}): port {b.Port} is not 1-65535");
            if (b.Weight < 0) errors.Add($"backends[{i}] ({b.Container}): weight {b.Weight} must not be negative");
        }
        if (errors.Count > 0) throw new InvalidArgumentException(string.Join("; ", errors));
    }

    /// <summary>Replaces a router's backends (weights, readiness) at run time; established connections keep their backend.</summary>
    public RouterConfig SetBackends(string name, List<RouterBackendConfig> backends)
    {
        ValidateBackends(backends);
        RouterConfig updated;
        lock (_routerGate)
        {
            if (!_routers.TryGetValue(name, out var r)) throw new NotFoundException($"No such router: {name}");
            updated = r with { Backends = backends };
            _routers[name] = updated;
        }
        AtomicFile.WriteJson(RouterFile(name), updated, RuntimeJson.Default.RouterConfig);
        ApplyRules();
        return updated;
    }

    public RouterConfig GetRouter(string name)
    {
        lock (_routerGate) return _routers.TryGetValue(name, out var r) ? r : throw new NotFoundException($"No such router: {name}");
    }

    public IReadOnlyList<RouterConfig> ListRouters()
    {
        lock (_routerGate) return _routers.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    public void RemoveRouter(string name)
    {
        var r = GetRouter(name);
        RemoveRouterState(r);
        File.Delete(RouterFile(name));
        ApplyRules();
    }

    void RemoveRouterState(RouterConfig r)
    {
        lock (_routerGate)
        {
            _routers.Remove(r.Name);
            if (_routerPorts.Remove(r.Name, out var s)) s.Dispose();
        }
        if (Find(r.Network) is { } net)
        {
            Ipam(net.Id).Release(IPAddress.Parse(r.Vip));
            using var rt = RtNetlink.Open();
            var index = rt.LinkIndex(net.Bridge);
            if (index >= 0) rt.TryDeleteAddress(index, IPAddress.Parse(r.Vip), 32);
        }
    }

    /// <summary>
    /// Whether a backend container (by ID) may take new connections: the engine answers from its
    /// health checks. Until it is set, every running backend may.
    /// </summary>
    public Func<string, bool>? BackendReady { get; set; }

    /// <summary>A container's health changed: the routers it backs are recomputed.</summary>
    public void BackendHealthChanged(string containerId)
    {
        bool backs;
        lock (_attachGate) backs = _attached.TryGetValue(containerId, out var a) && IsRouterBackendName(a.Name, a.Id);
        if (backs) ApplyRules();
    }

    /// <summary>Each router with the addresses its running, ready (and healthy) backends have on the router's network.</summary>
    IReadOnlyList<RouterRule> RouterRules()
    {
        List<RouterConfig> routers;
        lock (_routerGate) routers = _routers.Values.ToList();
        var rules = new List<RouterRule>();
        foreach (var r in routers)
        {
            var backends = new List<RouterBackend>();
            foreach (var b in r.Backends)
            {
                if (!b.Ready || b.Weight == 0) continue;
                if (BackendAddress(b.Container, r.Network) is { } ip) backends.Add(new RouterBackend(ip, b.Port, b.Weight));
            }
            rules.Add(new RouterRule(r.Vip, r.Protocol, r.Port, r.HostPort, backends));
        }
        return rules;
    }

    string? BackendAddress(string container, string networkId)
    {
        string id, ip;
        lock (_attachGate)
        {
            var a = _attached.Values.FirstOrDefault(x => x.Name == container || x.Id == container ||
                                                         (container.Length >= 6 && x.Id.StartsWith(container, StringComparison.Ordinal)));
            if (a?.State.Endpoints.FirstOrDefault(e => e.NetworkId == networkId)?.IPAddress is not { } address) return null;
            (id, ip) = (a.Id, address);
        }
        // Asked outside the lock: the engine looks the container up under its own.
        return BackendReady?.Invoke(id) == false ? null : ip;
    }

    bool IsRouterBackend(ContainerConfig config) => IsRouterBackendName(config.Name, config.Id);

    bool IsRouterBackendName(string name, string id)
    {
        lock (_routerGate)
            return _routers.Values.Any(r => r.Backends.Any(b => b.Container == name || b.Container == id ||
                                                                 (b.Container.Length >= 6 && id.StartsWith(b.Container, StringComparison.Ordinal))));
    }
}
