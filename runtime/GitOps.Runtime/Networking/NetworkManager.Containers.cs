using System.Net;
using System.Net.Sockets;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Linux.Netlink;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Networking;

public sealed partial class NetworkManager : IContainerStartHook
{
    /// <summary>A started container's place in the networks, with the sockets that hold its published ports.</summary>
    sealed class Attachment(string id, string name, string statePath, ContainerNetwork state, string? service, string? version = null)
    {
        public string Id => id;
        public string Name { get; set; } = name;
        /// <summary>The service this container is a replica of: its name resolves to every replica.</summary>
        public string? Service => service;
        /// <summary>The container's spec version (its spec-hash label, shortened): an http router's default version label.</summary>
        public string? Version => version;
        public string StatePath => statePath;
        public ContainerNetwork State { get; set; } = state;
        public List<PortReservation> Reserved { get; } = [];
    }

    readonly Lock _attachGate = new();
    readonly Dictionary<string, Attachment> _attached = new(StringComparer.Ordinal);

    // ---- planning at create ------------------------------------------------------------------

    /// <summary>Validates --network and the extra endpoints; Docker's wording for what is wrong.</summary>
    public NetworkPlan Plan(HostConfig h, IReadOnlyDictionary<string, EndpointRequest>? endpoints)
    {
        var mode = h.NetworkMode;
        endpoints ??= new Dictionary<string, EndpointRequest>();
        switch (mode)
        {
            case "none" or "host":
                if (endpoints.Keys.Any(k => k != mode))
                    throw new InvalidArgumentException($"conflicting options: --network {mode} cannot be combined with other networks");
                return new NetworkPlan(mode == "none" ? NetworkModeKind.None : NetworkModeKind.Host, [], null);
            case var m when m.StartsWith("container:", StringComparison.Ordinal):
                if (h.PortBindings.Count > 0 || h.PublishAllPorts)
                    throw new InvalidArgumentException("conflicting options: port publishing and the container type network mode");
                return new NetworkPlan(NetworkModeKind.Container, [], m[10..]);
        }
        var primary = mode is "" or "default" or DefaultNetwork ? List().Single(n => n.IsDefault) : Get(mode);
        var networks = new List<string> { primary.Id };
        foreach (var (name, ep) in endpoints)
        {
            var cfg = Get(name);
            if (cfg.IsDefault && ep.Aliases.Count > 0)
                throw new InvalidArgumentException("network-scoped alias is supported only for containers in user defined networks");
            if (!networks.Contains(cfg.Id)) networks.Add(cfg.Id);
        }
        if (primary.IsDefault && endpoints.TryGetValue(mode is "" or "default" ? DefaultNetwork : mode, out var own) && own.Aliases.Count > 0)
            throw new InvalidArgumentException("network-scoped alias is supported only for containers in user defined networks");
        return new NetworkPlan(NetworkModeKind.Bridge, networks, null);
    }

    /// <summary>
    /// resolv.conf for a container: the embedded DNS server when one of its networks has name
    /// resolution, the host's resolvers (without loopback ones) otherwise, as Docker does; then the
    /// container's --dns, --dns-search and --dns-option (not on the host's network, which keeps the host's file).
    /// </summary>
    public string ResolvConf(NetworkPlan plan, HostConfig h)
    {
        var embedded = plan.Kind == NetworkModeKind.Bridge && plan.Networks.Any(id => Find(id)?.Dns == true);
        return plan.Kind == NetworkModeKind.Host ? ResolvConf(plan)
            : Networking.ResolvConf.Compose(ResolvConf(plan), h.Dns, h.DnsSearch, h.DnsOptions, embedded);
    }

    /// <summary>The base resolv.conf of a container on <paramref name="plan"/>'s networks, before its own DNS settings.</summary>
    public string ResolvConf(NetworkPlan plan)
    {
        if (plan.Kind == NetworkModeKind.Host) return ContainerFiles.HostResolvConfVerbatim();
        var hostConf = ContainerFiles.HostResolvConf();
        if (plan.Kind != NetworkModeKind.Bridge || !plan.Networks.Any(id => Find(id)?.Dns == true)) return hostConf;
        var search = hostConf.Split('\n').Where(l => l.StartsWith("search", StringComparison.Ordinal) || l.StartsWith("domain", StringComparison.Ordinal));
        return string.Join('\n', new[] { "nameserver 127.0.0.11" }.Concat(search).Append("options ndots:0")) + "\n";
    }

    // ---- start and stop (the container start hook) ---------------------------------------------

    public void BeforeStart(ContainerConfig config, int pid)
    {
        var plan = Plan(config.HostConfig, config.Networks);
        if (plan.Kind != NetworkModeKind.Bridge) return;
        var statePath = Path.Combine(_paths.Container(config.Id), "network.json");
        using var netns = Sys.Open($"/proc/{pid}/ns/net", Sys.O_RDONLY);
        var endpoints = new List<Endpoint>();
        var attachment = new Attachment(config.Id, config.Name, statePath, new ContainerNetwork { Pid = pid }, ServiceOf(config), VersionOf(config));
        try
        {
            using var rt = RtNetlink.Open();
            using var inside = RtNetlink.OpenIn(netns);
            for (var i = 0; i < plan.Networks.Count; i++)
            {
                var cfg = Get(plan.Networks[i]);
                var request = config.Networks.GetValueOrDefault(cfg.Name) ?? config.Networks.GetValueOrDefault(cfg.Id);
                endpoints.Add(Plug(rt, inside, netns, cfg, config.Id, i, request, defaultRoute: i == 0));
            }
            attachment.State = attachment.State with { Endpoints = endpoints };
            ReservePorts(config, attachment);
            if (endpoints.Any(e => Find(e.NetworkId)?.Dns == true)) _dns.Attach(config.Id, netns, config.HostConfig.Dns);
            lock (_attachGate) _attached[config.Id] = attachment;
            Save(attachment);
            WriteHosts(config, endpoints[0]);
            if (attachment.State.Ports.Count > 0 || IsRouterBackend(config)) ApplyRules();
            foreach (var e in endpoints) Publish("connect", Get(e.NetworkId), config.Id);
        }
        catch
        {
            Unplug(attachment, endpoints);
            throw;
        }
    }

    Endpoint Plug(RtNetlink rt, RtNetlink inside, SafeFd netns, NetworkConfig cfg, string containerId, int index, EndpointRequest? request, bool defaultRoute)
    {
        var ipam = Ipam(cfg.Id);
        var ip = ipam.Allocate(request?.IPv4Address is { Length: > 0 } wanted ? IPAddress.Parse(wanted) : null);
        var hostIf = $"v{_instance}{containerId[..9]}{index}";
        var containerIf = $"eth{index}";
        var mac = new byte[] { 0x02, 0x42 }.Concat(ip.GetAddressBytes()).ToArray();
        try
        {
            rt.TryDeleteLink(hostIf); // a leftover of a crash
            rt.CreateVethPair(hostIf, containerIf, netns, mac, 1500);
            var hostIndex = rt.LinkIndex(hostIf);
            rt.SetMaster(hostIndex, rt.LinkIndex(cfg.Bridge));
            rt.SetUp(hostIndex);
            var inner = inside.LinkIndex(containerIf);
            inside.AddAddress(inner, ip, cfg.Cidr.Prefix);
            inside.SetUp(inner);
            // An internal network has no way out, hence no default route through it.
            if (defaultRoute && !cfg.Internal) inside.AddDefaultRoute(IPAddress.Parse(cfg.Gateway), inner);
        }
        catch
        {
            ipam.Release(ip);
            rt.TryDeleteLink(hostIf);
            throw;
        }
        return new Endpoint
        {
            NetworkId = cfg.Id, NetworkName = cfg.Name, EndpointId = Ids.New(), IPAddress = ip.ToString(), PrefixLen = cfg.Cidr.Prefix,
            Gateway = cfg.Gateway, MacAddress = string.Join(':', mac.Select(b => b.ToString("x2"))), HostInterface = hostIf,
            ContainerInterface = containerIf, Aliases = request?.Aliases ?? [],
        };
    }

    public void AfterStop(ContainerConfig config)
    {
        Attachment? a;
        lock (_attachGate)
        {
            if (!_attached.Remove(config.Id, out a)) return;
        }
        Unplug(a, a.State.Endpoints);
        File.Delete(a.StatePath);
        if (a.State.Ports.Count > 0 || IsRouterBackend(config)) ApplyRules();
        foreach (var e in a.State.Endpoints)
            if (Find(e.NetworkId) is { } cfg) Publish("disconnect", cfg, config.Id);
    }

    void Unplug(Attachment a, IReadOnlyList<Endpoint> endpoints)
    {
        // DNS sockets first: they hold the container's network namespace (and so its veths) alive.
        _dns.Detach(a.Id);
        foreach (var s in a.Reserved) s.Dispose();
        a.Reserved.Clear();
        using var rt = RtNetlink.Open();
        foreach (var e in endpoints)
        {
            if (Find(e.NetworkId) is { } cfg) Ipam(cfg.Id).Release(IPAddress.Parse(e.IPAddress));
            rt.TryDeleteLink(e.HostInterface);
        }
    }

    Ipam Ipam(string networkId)
    {
        lock (_gate) return _networks[networkId].Ipam;
    }

    void Save(Attachment a) => AtomicFile.WriteJson(a.StatePath, a.State, RuntimeJson.Default.ContainerNetwork, syncDirectory: false);

    /// <summary>/etc/hosts gains the container's own address, rewritten in place (it is bind-mounted by inode).</summary>
    void WriteHosts(ContainerConfig config, Endpoint primary)
    {
        var files = new ContainerFiles(_paths.Container(config.Id), config.Id);
        File.WriteAllText(files.Hosts, ContainerFiles.DefaultHosts(config.Hostname, primary.IPAddress));
    }

    /// <summary>A running container was renamed: name resolution follows.</summary>
    public void Renamed(string containerId, string newName)
    {
        lock (_attachGate)
            if (_attached.TryGetValue(containerId, out var a)) a.Name = newName;
    }

    public ContainerNetwork? Settings(string containerId)
    {
        lock (_attachGate) return _attached.TryGetValue(containerId, out var a) ? a.State : null;
    }

    // ---- published ports -----------------------------------------------------------------------

    /// <summary>
    /// Reserves each published host port by binding a socket to it (never listening: the kernel's
    /// DNAT takes the traffic first), so no other program can take it, and a port in use is a
    /// clear error at start. Port 0 asks the kernel for a free ephemeral port, as -P does.
    /// </summary>
    void ReservePorts(ContainerConfig config, Attachment a)
    {
        var h = config.HostConfig;
        var wanted = new List<(string Port, PortBindingRequest Binding)>();
        foreach (var (port, bindings) in h.PortBindings)
            foreach (var b in bindings.Count == 0 ? [new PortBindingRequest()] : bindings) wanted.Add((port, b));
        if (h.PublishAllPorts)
            foreach (var exposed in config.ExposedPorts.Where(p => !h.PortBindings.ContainsKey(p)))
                wanted.Add((exposed, new PortBindingRequest()));
        var ports = new List<PublishedPort>();
        foreach (var (port, binding) in wanted)
        {
            var (number, proto) = ParsePort(port);
            var hostIp = binding.HostIp is { Length: > 0 } ip ? ip : "0.0.0.0";
            if (!IPAddress.TryParse(hostIp, out var bindIp) || bindIp.AddressFamily != AddressFamily.InterNetwork)
                throw new InvalidArgumentException($"invalid host IP \"{hostIp}\" for {port}: expected an IPv4 address");
            var (from, to) = HostPortRange(binding.HostPort, port);
            PortReservation? held = null;
            for (var candidate = from; held is null && candidate <= to; candidate++)
            {
                try { held = PortReservation.Bind(proto, bindIp, candidate); }
                catch (ErrnoException e) when (e.Errno == Errno.EADDRINUSE)
                {
                    if (candidate == to)
                        throw new ConflictException(from == to
                            ? $"Bind for {hostIp}:{from} failed: port is already allocated"
                            : $"Bind for {hostIp}:{from}-{to} failed: every port of the range is already allocated");
                }
                catch (ErrnoException e)
                {
                    throw new InvalidArgumentException($"cannot publish {hostIp}:{candidate}: {ErrnoException.Describe(e.Errno)}");
                }
            }
            a.Reserved.Add(held!);
            ports.Add(new PublishedPort { Protocol = proto, ContainerPort = number, HostIp = hostIp, HostPort = held!.Port });
        }
        a.State = a.State with { Ports = ports };
    }

    /// <summary>HostPort of a binding: "" or "0" (ephemeral), "8080", or "8000-8010" (the first free one).</summary>
    internal static (int From, int To) HostPortRange(string? hostPort, string port)
    {
        if (hostPort is not { Length: > 0 } hp || hp == "0") return (0, 0);
        var dash = hp.IndexOf('-');
        var (a, b) = dash < 0 ? (hp, hp) : (hp[..dash], hp[(dash + 1)..]);
        return int.TryParse(a, out var from) && int.TryParse(b, out var to) && from is > 0 and < 65536 && to is > 0 and < 65536 && from <= to
            ? (from, to)
            : throw new InvalidArgumentException($"invalid host port \"{hp}\" for {port}: expected a port or a range of ports (1-65535)");
    }

    public static (int Port, string Protocol) ParsePort(string spec)
    {
        var slash = spec.IndexOf('/');
        var proto = slash < 0 ? "tcp" : spec[(slash + 1)..].ToLowerInvariant();
        if (proto is not ("tcp" or "udp")) throw new InvalidArgumentException($"invalid protocol \"{proto}\" in {spec}: expected tcp or udp");
        var number = slash < 0 ? spec : spec[..slash];
        return int.TryParse(number, out var p) && p is > 0 and < 65536 ? (p, proto)
            : throw new InvalidArgumentException($"invalid port \"{spec}\": expected 1-65535");
    }

    // ---- name resolution -----------------------------------------------------------------------

    /// <summary>
    /// What the embedded DNS answers for one container: names of containers (name, 12-character ID,
    /// aliases) and routers on the networks it shares with them. Null means "not ours" (forward).
    /// </summary>
    IReadOnlyList<IPAddress>? Resolve(string requesterId, string name)
    {
        var result = new List<IPAddress>();
        lock (_attachGate)
        {
            if (!_attached.TryGetValue(requesterId, out var me)) return null;
            var networks = me.State.Endpoints.Where(e => Find(e.NetworkId)?.Dns == true).Select(e => e.NetworkId).ToHashSet();
            if (networks.Count == 0) return null;
            // A service with a router answers with its virtual IP, as a Swarm service does;
            // tasks.NAME still lists the replicas themselves.
            lock (_routerGate)
                foreach (var r in _routers.Values.Where(r => networks.Contains(r.Network) && string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
                    result.Add(IPAddress.Parse(r.Vip));
            if (result.Count > 0) return result;
            var service = name.StartsWith("tasks.", StringComparison.OrdinalIgnoreCase) ? name[6..] : name;
            foreach (var a in _attached.Values)
                foreach (var e in a.State.Endpoints.Where(e => networks.Contains(e.NetworkId)))
                    if (string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase) ||
                        string.Equals(a.Service, service, StringComparison.OrdinalIgnoreCase) ||
                        (name.Length >= 12 && a.Id.StartsWith(name, StringComparison.OrdinalIgnoreCase)) ||
                        e.Aliases.Any(x => string.Equals(x, name, StringComparison.OrdinalIgnoreCase)))
                        result.Add(IPAddress.Parse(e.IPAddress));
        }
        // Shuffled, as Docker's resolver does: clients that take the first address spread over replicas.
        var distinct = result.Distinct().ToArray();
        Random.Shared.Shuffle(distinct);
        return distinct.Length > 0 ? distinct : null;
    }

    /// <summary>Labels that name a container's service, as the reconciler, Compose and Swarm set them.</summary>
    public static readonly IReadOnlyList<string> ServiceLabels = ["gitops.service", "com.docker.compose.service", "com.docker.swarm.service.name"];

    static string? ServiceOf(ContainerConfig config) =>
        ServiceLabels.Select(l => config.Labels.GetValueOrDefault(l)).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    /// <summary>The reconciler's spec hash ("sha256:…"), first 12 hex digits, as Kubernetes' pod-template-hash names a version.</summary>
    static string? VersionOf(ContainerConfig config)
    {
        if (config.Labels.GetValueOrDefault("gitops.spec-hash") is not { Length: > 0 } hash) return null;
        var hex = hash.StartsWith("sha256:", StringComparison.Ordinal) ? hash[7..] : hash;
        return hex[..Math.Min(12, hex.Length)];
    }

    // ---- restore -------------------------------------------------------------------------------

    /// <summary>A container that kept running while the daemon was down: take its addresses, ports and DNS back.</summary>
    public void Adopt(ContainerConfig config, int pid)
    {
        var statePath = Path.Combine(_paths.Container(config.Id), "network.json");
        var state = AtomicFile.ReadJson(statePath, RuntimeJson.Default.ContainerNetwork);
        if (state is null || state.Endpoints.Count == 0) return;
        var a = new Attachment(config.Id, config.Name, statePath, state with { Pid = pid }, ServiceOf(config), VersionOf(config));
        foreach (var e in state.Endpoints)
            if (Find(e.NetworkId) is { } cfg) Ipam(cfg.Id).Reserve(IPAddress.Parse(e.IPAddress));
        foreach (var p in state.Ports)
        {
            try { a.Reserved.Add(PortReservation.Bind(p.Protocol, IPAddress.Parse(p.HostIp), p.HostPort)); }
            catch (ErrnoException e) { Console.Error.WriteLine($"container {Ids.Short(config.Id)}: cannot hold port {p.HostIp}:{p.HostPort} again: {e.Message}"); }
        }
        if (state.Endpoints.Any(e => Find(e.NetworkId)?.Dns == true))
        {
            using var netns = Sys.Open($"/proc/{pid}/ns/net", Sys.O_RDONLY);
            _dns.Attach(config.Id, netns, config.HostConfig.Dns);
        }
        lock (_attachGate) _attached[config.Id] = a;
    }

    /// <summary>After restore: veths of this instance that belong to no running container go, and the rules are rebuilt.</summary>
    public void Reconcile()
    {
        HashSet<string> live;
        lock (_attachGate) live = _attached.Values.SelectMany(a => a.State.Endpoints.Select(e => e.HostInterface)).ToHashSet();
        using var rt = RtNetlink.Open();
        foreach (var (_, name) in rt.Links())
            if (name.Length == 15 && name.StartsWith("v" + _instance, StringComparison.Ordinal) && !live.Contains(name))
                rt.TryDeleteLink(name);
        // Container state files of containers no longer running.
        foreach (var dir in Directory.EnumerateDirectories(_paths.Containers))
        {
            var id = Path.GetFileName(dir);
            lock (_attachGate) if (_attached.ContainsKey(id)) continue;
            File.Delete(Path.Combine(dir, "network.json"));
        }
        ApplyRules();
    }
}
