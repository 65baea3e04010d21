using System.Diagnostics;
using System.Net;
using GitOps.Runtime.Linux.Netlink;
using GitOps.Runtime.Networking.Http;

namespace GitOps.Runtime.Networking;

/// <summary>How a drain ended: whether the backend's last connection (or request) finished before the deadline.</summary>
public sealed record DrainResult
{
    public required string Router { get; init; }
    public required string Container { get; init; }
    /// <summary>True when nothing was left in flight; false when the deadline came first.</summary>
    public bool Drained { get; init; }
    /// <summary>Connections (kernel router) or requests (http router) still open at the end.</summary>
    public int Remaining { get; init; }
    public double WaitedSeconds { get; init; }
}

public sealed partial class NetworkManager
{
    static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Takes <paramref name="container"/> out of router <paramref name="router"/> — new connections (kernel)
    /// or requests (http) go to the other backends from now on — and waits until the ones it already has
    /// are over, or <paramref name="timeout"/> (the stop grace period) has passed. Then it can be stopped
    /// without failing a request. A kernel router counts the backend's entries in the connection-tracking
    /// table (a changed DNAT rule leaves established connections where they are); an http router counts
    /// the requests YARP is forwarding to it. At the deadline the UDP flows left are removed from the
    /// table so that their next datagram is balanced again, as kube-proxy does for a removed endpoint.
    /// </summary>
    public async Task<DrainResult> DrainBackendAsync(string router, string container, TimeSpan timeout, CancellationToken ct = default)
    {
        var start = Stopwatch.GetTimestamp();
        RouterConfig? r = null;
        RouterBackendConfig? backend = null;
        lock (_routerGate)
        {
            if (!_routers.TryGetValue(router, out r)) throw new NotFoundException($"No such router: {router}");
        }
        backend = r.Backends.FirstOrDefault(b => SameContainer(b.Container, container))
                  ?? throw new NotFoundException($"router {router} has no backend {container}");
        // Where its connections go: resolved before it leaves the router. Not running: nothing to wait for.
        var target = ResolveBackend(backend.Container, r.Network);
        Change(router, cfg => cfg with { Backends = cfg.Backends.Where(b => !SameContainer(b.Container, container)).ToList() });
        if (target is not { } t)
            return new DrainResult { Router = router, Container = container, Drained = true, WaitedSeconds = 0 };

        var deadline = start + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        Func<int> remaining = r.IsHttp
            ? () => HttpInFlight(router, HttpBackend.KeyOf(t.Id, backend.Port))
            : () => ConnectionsTo(IPAddress.Parse(t.Ip), backend.Port, r.Protocol);
        int left;
        while ((left = remaining()) > 0 && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(DrainPoll, ct);
        if (left > 0 && r.Protocol == "udp") left -= ForgetFlows(IPAddress.Parse(t.Ip), backend.Port);
        return new DrainResult
        {
            Router = router, Container = container, Drained = left == 0, Remaining = Math.Max(left, 0),
            WaitedSeconds = Math.Round(Stopwatch.GetElapsedTime(start).TotalSeconds, 3),
        };
    }

    /// <summary>
    /// Drains a container from every router it backs, together (what stopping a replica needs): the
    /// result per router. A container that backs no router returns at once.
    /// </summary>
    public async Task<IReadOnlyList<DrainResult>> DrainContainerAsync(string container, TimeSpan timeout, CancellationToken ct = default)
    {
        List<string> routers;
        lock (_routerGate) routers = _routers.Values.Where(r => r.Backends.Any(b => SameContainer(b.Container, container))).Select(r => r.Name).ToList();
        return await Task.WhenAll(routers.Select(r => DrainBackendAsync(r, container, timeout, ct)));
    }

    int HttpInFlight(string router, string key)
    {
        HttpRouterHost? host;
        lock (_httpGate) _httpHosts.TryGetValue(router, out host);
        return host?.InFlight(key) ?? 0;
    }

    /// <summary>
    /// Tracked connections whose reply comes from ip:port (the backend side of a DNATed connection, or of
    /// one made straight to the container from the host); TCP connections already in TIME_WAIT or CLOSE
    /// are over. Read through ctnetlink rather than the conntrack tool: a dump is one netlink round trip
    /// every poll, and the engine already speaks netlink for links and addresses.
    /// </summary>
    static int ConnectionsTo(IPAddress ip, int port, string protocol)
    {
        var proto = protocol == "udp" ? ConntrackEntry.Udp : ConntrackEntry.Tcp;
        using var ct = CtNetlink.Open();
        return ct.List().Count(e => e.Protocol == proto && e.ReplySourcePort == port && e.ReplySource.Equals(ip) && !e.IsClosed);
    }

    static int ForgetFlows(IPAddress ip, int port)
    {
        using var ct = CtNetlink.Open();
        return ct.List().Where(e => e.Protocol == ConntrackEntry.Udp && e.ReplySourcePort == port && e.ReplySource.Equals(ip)).Count(ct.Delete);
    }
}
