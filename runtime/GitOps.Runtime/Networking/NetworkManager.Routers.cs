using GitOps.Runtime.Linux;
using System.Net;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Linux.Netlink;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Networking;

public sealed partial class NetworkManager
{
    readonly Lock _routerGate = new();
    readonly Dictionary<string, RouterConfig> _routers = new(StringComparer.Ordinal);
    readonly Dictionary<string, List<PortReservation>> _routerPorts = new(StringComparer.Ordinal);

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
                ReserveRouterPorts(r);
            }
        }
    }

    public RouterConfig CreateRouter(RouterCreate request)
    {
        if (!Ids.IsValidName(request.Name)) throw new InvalidArgumentException($"invalid router name \"{request.Name}\"");
        if (request.Port is <= 0 or > 65535) throw new InvalidArgumentException($"invalid router port {request.Port}: expected 1-65535");
        if (request.Protocol is not ("tcp" or "udp" or "http")) throw new InvalidArgumentException($"invalid protocol \"{request.Protocol}\": expected tcp, udp or http");
        ValidateBackends(request.Backends);
        if (request.Http is not null && request.Protocol != "http")
            throw new InvalidArgumentException($"header routes, rules and TLS need protocol http (the router is {request.Protocol})");
        if (request.Http is { } settings) ValidateHttp(settings, request.Port, request.HostPort);
        var net = Get(request.Network);
        lock (_routerGate)
        {
            if (_routers.ContainsKey(request.Name)) throw new ConflictException($"router {request.Name} already exists");
            foreach (var hp in HostPorts(request.Protocol, request.HostPort, request.Http))
                if (_routers.Values.FirstOrDefault(r => HostPorts(r.Protocol, r.HostPort, r.Http).Contains(hp)) is { } other)
                    throw new ConflictException($"Bind for 0.0.0.0:{hp.Port} failed: port is already allocated (router {other.Name})");
        }
        var vip = Ipam(net.Id).Allocate();
        var router = new RouterConfig
        {
            Name = request.Name, Network = net.Id, Vip = vip.ToString(), Protocol = request.Protocol, Port = request.Port,
            HostPort = request.HostPort, Backends = request.Backends, Labels = request.Labels, Http = request.Http,
        };
        try
        {
            lock (_routerGate)
            {
                if (!ReserveRouterPorts(router))
                    throw new ConflictException($"Bind for 0.0.0.0:{FirstTaken(router)} failed: port is already allocated");
                _routers[router.Name] = router;
            }
            // The host owns the VIP on the bridge so that containers' ARP for it is answered and their
            // packets reach the DNAT rule (or, for an http router, its listener).
            using (var rt = RtNetlink.Open()) rt.AddAddress(rt.LinkIndex(net.Bridge), vip, 32);
            if (router.IsHttp) StartHttpRouter(router);
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

    /// <summary>The host ports a router publishes, with the socket type that holds each.</summary>
    static List<(bool Udp, int Port)> HostPorts(string protocol, int? hostPort, Http.HttpRouterSettings? http)
    {
        var list = new List<(bool, int)>();
        if (hostPort is { } hp) list.Add((protocol == "udp", hp));
        if (http?.TlsHostPort is { } tls) list.Add((false, tls));
        return list;
    }

    /// <summary>
    /// Holds each host port with a bound, never listening socket (nftables takes the traffic first). An
    /// http router's own listener is on its VIP and may use the same port number: both sockets then allow
    /// address reuse, the only way Linux lets a bound wildcard socket and a specific listener share a port.
    /// Two routers never share a host port (checked at create). Callers hold _routerGate.
    /// </summary>
    bool ReserveRouterPorts(RouterConfig r)
    {
        var held = new List<PortReservation>();
        foreach (var (udp, port) in HostPorts(r.Protocol, r.HostPort, r.Http))
        {
            try { held.Add(PortReservation.Bind(udp ? "udp" : "tcp", IPAddress.Any, port, reuseAddress: r.IsHttp)); }
            catch (ErrnoException e) when (e.Errno == Errno.EADDRINUSE)
            {
                foreach (var h in held) h.Dispose();
                return false;
            }
        }
        _routerPorts[r.Name] = held;
        return true;
    }

    static int FirstTaken(RouterConfig r)
    {
        foreach (var (udp, port) in HostPorts(r.Protocol, r.HostPort, r.Http))
        {
            try { PortReservation.Bind(udp ? "udp" : "tcp", IPAddress.Any, port, reuseAddress: r.IsHttp).Dispose(); }
            catch (ErrnoException) { return port; }
        }
        return r.HostPort ?? 0;
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
            if (b.Group is { } g && !IsLabelValue(g)) errors.Add($"backends[{i}] ({b.Container}): group \"{g}\" must be 1-63 of [A-Za-z0-9._-]");
            if (b.Service is { } s && !IsLabelValue(s)) errors.Add($"backends[{i}] ({b.Container}): service \"{s}\" must be 1-63 of [A-Za-z0-9._-]");
        }
        if (errors.Count > 0) throw new InvalidArgumentException(string.Join("; ", errors));
    }

    /// <summary>Groups and services become metric labels and header-route targets: short, printable names only.</summary>
    static bool IsLabelValue(string v) => v.Length is > 0 and <= 63 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>Replaces a router's backends (weights, readiness) at run time; established connections keep their backend.</summary>
    public RouterConfig SetBackends(string name, List<RouterBackendConfig> backends)
    {
        ValidateBackends(backends);
        return Change(name, r => r with { Backends = backends });
    }

    /// <summary>
    /// New weights for some backends (by container name or ID), the others unchanged: what a canary step
    /// does. Every named container must be a backend of the router.
    /// </summary>
    public RouterConfig SetWeights(string name, IReadOnlyDictionary<string, int> weights)
    {
        var errors = weights.Where(w => w.Value < 0).Select(w => $"{w.Key}: weight {w.Value} must not be negative").ToList();
        if (errors.Count > 0) throw new InvalidArgumentException(string.Join("; ", errors));
        return Change(name, r =>
        {
            var missing = weights.Keys.Where(c => !r.Backends.Any(b => SameContainer(b.Container, c))).ToList();
            if (missing.Count > 0) throw new NotFoundException($"router {name} has no backend {string.Join(", ", missing)}");
            return r with
            {
                Backends = r.Backends.Select(b => weights.Where(w => SameContainer(b.Container, w.Key)).Select(w => (int?)w.Value).FirstOrDefault() is { } weight
                    ? b with { Weight = weight } : b).ToList(),
            };
        });
    }

    /// <summary>Replaces an http router's header routes, rules and TLS; new requests follow them at once.</summary>
    public RouterConfig SetHttpSettings(string name, Http.HttpRouterSettings settings) =>
        Change(name, r =>
        {
            if (!r.IsHttp) throw new InvalidArgumentException($"router {name} is {r.Protocol}: header routes, rules and TLS need protocol http");
            if (settings.TlsPort != r.Http?.TlsPort || settings.TlsHostPort != r.Http?.TlsHostPort)
                throw new InvalidArgumentException($"router {name}: the TLS port and its published port are fixed at create (remove and create the router to change them)");
            ValidateHttp(settings, r.Port, r.HostPort);
            return r with { Http = settings };
        });

    RouterConfig Change(string name, Func<RouterConfig, RouterConfig> change)
    {
        RouterConfig updated;
        lock (_routerGate)
        {
            if (!_routers.TryGetValue(name, out var r)) throw new NotFoundException($"No such router: {name}");
            updated = change(r);
            _routers[name] = updated;
            AtomicFile.WriteJson(RouterFile(name), updated, RuntimeJson.Default.RouterConfig);
        }
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
            if (_routerPorts.Remove(r.Name, out var held))
                foreach (var s in held) s.Dispose();
        }
        StopHttpRouter(r.Name);
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

    /// <summary>Each router with the addresses its running, ready (and healthy) backends of non-zero weight have on the router's network.</summary>
    IReadOnlyList<RouterRule> RouterRules()
    {
        List<RouterConfig> routers;
        lock (_routerGate) routers = _routers.Values.ToList();
        var rules = new List<RouterRule>();
        foreach (var r in routers)
        {
            // An http router's listener is on its VIP: nft only forwards its published ports there.
            if (r.IsHttp)
            {
                rules.Add(new RouterRule(r.Vip, r.Protocol, r.Port, r.HostPort, [], r.Http?.TlsPort, r.Http?.TlsHostPort));
                continue;
            }
            var backends = LiveBackends(r).Where(b => b.Config.Weight > 0).Select(b => new RouterBackend(b.Ip, b.Config.Port, b.Config.Weight)).ToList();
            rules.Add(new RouterRule(r.Vip, r.Protocol, r.Port, r.HostPort, backends));
        }
        return rules;
    }

    /// <summary>A backend that may take new connections now: ready by its flag and its health, with an address on the router's network.</summary>
    readonly record struct LiveBackend(RouterBackendConfig Config, string ContainerId, string Ip, string? Service, string? Version);

    List<LiveBackend> LiveBackends(RouterConfig r)
    {
        var live = new List<LiveBackend>();
        foreach (var b in r.Backends)
            // Readiness is asked outside _attachGate: the engine looks the container up under its own lock.
            if (b.Ready && ResolveBackend(b.Container, r.Network) is { } found && BackendReady?.Invoke(found.Id) != false)
                live.Add(new LiveBackend(b, found.Id, found.Ip, found.Service, found.Version));
        return live;
    }

    /// <summary>The running container a backend names (name, ID or ID prefix) and its address on the network.</summary>
    (string Id, string Ip, string? Service, string? Version)? ResolveBackend(string container, string networkId)
    {
        lock (_attachGate)
        {
            var a = FindAttached(container);
            if (a?.State.Endpoints.FirstOrDefault(e => e.NetworkId == networkId)?.IPAddress is not { } address) return null;
            return (a.Id, address, a.Service, a.Version);
        }
    }

    /// <summary>Callers hold _attachGate.</summary>
    Attachment? FindAttached(string container) =>
        _attached.Values.FirstOrDefault(x => x.Name == container || x.Id == container ||
                                             (container.Length >= 6 && x.Id.StartsWith(container, StringComparison.Ordinal)));

    /// <summary>Whether two references (names, IDs or ID prefixes) name the same container.</summary>
    bool SameContainer(string a, string b)
    {
        if (a == b) return true;
        lock (_attachGate)
        {
            var x = FindAttached(a);
            return x is not null && x == FindAttached(b);
        }
    }

    bool IsRouterBackend(ContainerConfig config) => IsRouterBackendName(config.Name, config.Id);

    bool IsRouterBackendName(string name, string id)
    {
        lock (_routerGate)
            return _routers.Values.Any(r => r.Backends.Any(b => b.Container == name || b.Container == id ||
                                                                 (b.Container.Length >= 6 && id.StartsWith(b.Container, StringComparison.Ordinal))));
    }
}
