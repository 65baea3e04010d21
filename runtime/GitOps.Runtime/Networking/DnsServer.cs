using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Networking;

/// <summary>
/// Docker's embedded DNS server: in every container on a user-defined network, 127.0.0.11:53
/// answers for container names, aliases and service names of the networks it shares with them,
/// and forwards everything else to the host's resolvers. The sockets are created inside the
/// container's network namespace (127.0.0.0/8 is all local there, so no NAT rule is needed); the
/// answering is done by the daemon, so a container cannot tamper with it.
/// </summary>
public sealed class DnsServer : IDisposable
{
    static readonly IPEndPoint Listen = new(IPAddress.Parse("127.0.0.11"), 53);
    readonly Func<string, string, IReadOnlyList<IPAddress>?> _resolve;
    readonly IReadOnlyList<IPEndPoint> _upstreams;
    readonly ConcurrentDictionary<string, Session> _sessions = new();

    sealed record Session(Socket Udp, Socket Tcp, CancellationTokenSource Stop, IReadOnlyList<IPEndPoint> Upstreams);

    /// <param name="resolve">(container ID, name) → addresses, or null when the name is not ours.</param>
    public DnsServer(Func<string, string, IReadOnlyList<IPAddress>?> resolve, IReadOnlyList<IPEndPoint> upstreams)
    {
        _resolve = resolve;
        _upstreams = upstreams;
    }

    /// <summary>Host resolvers from /etc/resolv.conf (the daemon runs in the host namespace, so 127.0.0.53 works too).</summary>
    public static IReadOnlyList<IPEndPoint> HostResolvers()
    {
        try
        {
            return File.ReadLines("/etc/resolv.conf")
                .Select(l => l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                .Where(p => p.Length >= 2 && p[0] == "nameserver" && IPAddress.TryParse(p[1], out var a) && a.AddressFamily == AddressFamily.InterNetwork)
                .Select(p => new IPEndPoint(IPAddress.Parse(p[1]), 53)).ToList();
        }
        catch (IOException) { return []; }
    }

    /// <summary>Serves <paramref name="containerId"/>'s namespace; names that are not ours go to <paramref name="nameservers"/>
    /// (the container's --dns, as Docker's embedded DNS forwards to them) or, when it has none, to the host's resolvers.</summary>
    public void Attach(string containerId, SafeFd netns, IReadOnlyList<string>? nameservers = null)
    {
        if (_sessions.ContainsKey(containerId)) return;
        // Raw sockets in the namespace, .NET Sockets around them out here (see InNetworkNamespace).
        var address = Listen.Address.GetAddressBytes();
        var (udpFd, tcpFd) = Sys.InNetworkNamespace(netns, () =>
        {
            var u = Sys.BindIPv4(udp: true, address, Listen.Port, out _);
            try { return (u, Sys.BindIPv4(udp: false, address, Listen.Port, listenBacklog: 16, out _)); }
            catch { u.Dispose(); throw; }
        });
        var udp = new Socket(new SafeSocketHandle((IntPtr)udpFd.Release(), ownsHandle: true));
        var tcp = new Socket(new SafeSocketHandle((IntPtr)tcpFd.Release(), ownsHandle: true));
        var session = new Session(udp, tcp, new CancellationTokenSource(), Upstreams(nameservers) ?? _upstreams);
        _sessions[containerId] = session;
        _ = ServeUdpAsync(containerId, session);
        _ = ServeTcpAsync(containerId, session);
    }

    /// <summary>Closes the container's sockets: they would keep its network namespace alive.</summary>
    public void Detach(string containerId)
    {
        if (!_sessions.TryRemove(containerId, out var s)) return;
        s.Stop.Cancel();
        s.Udp.Dispose();
        s.Tcp.Dispose();
    }

    async Task ServeUdpAsync(string containerId, Session s)
    {
        var buffer = new byte[4096];
        while (!s.Stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try { r = await s.Udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), s.Stop.Token); }
            catch (Exception) { return; }
            var query = buffer.AsSpan(0, r.ReceivedBytes).ToArray();
            var peer = r.RemoteEndPoint;
            _ = Task.Run(async () =>
            {
                var answer = await AnswerAsync(containerId, query, tcp: false);
                if (answer is null) return;
                try { await s.Udp.SendToAsync(answer, SocketFlags.None, peer); } catch (Exception) { }
            });
        }
    }

    async Task ServeTcpAsync(string containerId, Session s)
    {
        while (!s.Stop.IsCancellationRequested)
        {
            Socket conn;
            try { conn = await s.Tcp.AcceptAsync(s.Stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (conn)
                {
                    try
                    {
                        var len = new byte[2];
                        while (await ReadExactly(conn, len))
                        {
                            var query = new byte[(len[0] << 8) | len[1]];
                            if (!await ReadExactly(conn, query)) return;
                            var answer = await AnswerAsync(containerId, query, tcp: true);
                            if (answer is null) return;
                            await conn.SendAsync(new byte[] { (byte)(answer.Length >> 8), (byte)answer.Length }, SocketFlags.None);
                            await conn.SendAsync(answer, SocketFlags.None);
                        }
                    }
                    catch (Exception) { }
                }
            });
        }
    }

    static async Task<bool> ReadExactly(Socket s, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    async Task<byte[]?> AnswerAsync(string containerId, byte[] query, bool tcp)
    {
        if (!DnsMessage.TryParseQuestion(query, out var q)) return null;
        var name = q.Name.TrimEnd('.');
        var addresses = _resolve(containerId, name);
        if (addresses is null && ClusterName(name) is { } inner)
        {
            // Kubernetes' cluster domain: SERVICE.NAMESPACE.svc.cluster.local is SERVICE.NAMESPACE here, and objects of
            // the default namespace are named without it (as the reconciler names them). The domain is ours: a name
            // in it that is not known gets NXDOMAIN here, never a trip to the upstream resolvers (pods search it first).
            addresses = _resolve(containerId, inner) ??
                (inner.EndsWith(".default", StringComparison.OrdinalIgnoreCase) ? _resolve(containerId, inner[..^".default".Length]) : null);
            if (addresses is null) return DnsMessage.Failure(query, q, DnsMessage.NxDomain);
        }
        if (addresses is not null)
        {
            // Ours: A records; an AAAA question gets an empty answer (no IPv6 on our networks), not NXDOMAIN.
            return DnsMessage.Answer(query, q, q.Type is DnsMessage.TypeA or DnsMessage.TypeAny ? Shuffle(addresses) : []);
        }
        var upstreams = _sessions.TryGetValue(containerId, out var session) ? session.Upstreams : _upstreams;
        return await ForwardAsync(upstreams, query, tcp) ?? DnsMessage.Failure(query, q, DnsMessage.ServFail);
    }

    /// <summary>For a name in Kubernetes' cluster domain, what precedes ".svc.cluster.local" (or "" for other names under cluster.local); null otherwise.</summary>
    public static string? ClusterName(string name)
    {
        const string Services = ".svc.cluster.local", Cluster = ".cluster.local";
        if (name.EndsWith(Services, StringComparison.OrdinalIgnoreCase)) return name[..^Services.Length];
        return name.EndsWith(Cluster, StringComparison.OrdinalIgnoreCase) || name.Equals("cluster.local", StringComparison.OrdinalIgnoreCase) ? "" : null;
    }

    /// <summary>Round robin across replicas, as Docker's DNS does for a service name.</summary>
    static IReadOnlyList<IPAddress> Shuffle(IReadOnlyList<IPAddress> a) =>
        a.Count <= 1 ? a : a.OrderBy(_ => Random.Shared.Next()).ToList();

    /// <summary>A container's own nameservers as endpoints (IPv4 only: our networks have no IPv6), or null when it has none.</summary>
    public static IReadOnlyList<IPEndPoint>? Upstreams(IReadOnlyList<string>? nameservers)
    {
        var list = (nameservers ?? []).Select(n => IPAddress.TryParse(n, out var a) && a.AddressFamily == AddressFamily.InterNetwork ? new IPEndPoint(a, 53) : null)
            .OfType<IPEndPoint>().ToList();
        return list.Count > 0 ? list : null;
    }

    static async Task<byte[]?> ForwardAsync(IReadOnlyList<IPEndPoint> upstreams, byte[] query, bool tcp)
    {
        foreach (var upstream in upstreams)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                if (tcp)
                {
                    using var t = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await t.ConnectAsync(upstream, cts.Token);
                    await t.SendAsync(new byte[] { (byte)(query.Length >> 8), (byte)query.Length }, SocketFlags.None, cts.Token);
                    await t.SendAsync(query, SocketFlags.None, cts.Token);
                    var len = new byte[2];
                    if (!await ReadExactly(t, len)) continue;
                    var answer = new byte[(len[0] << 8) | len[1]];
                    if (await ReadExactly(t, answer)) return answer;
                    continue;
                }
                using var u = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                await u.SendToAsync(query, SocketFlags.None, upstream, cts.Token);
                var buf = new byte[4096];
                var r = await u.ReceiveFromAsync(buf, SocketFlags.None, upstream, cts.Token);
                if (r.ReceivedBytes >= 2 && buf[0] == query[0] && buf[1] == query[1]) return buf.AsSpan(0, r.ReceivedBytes).ToArray();
            }
            catch (Exception) { /* try the next resolver */ }
        }
        return null;
    }

    public void Dispose()
    {
        foreach (var id in _sessions.Keys.ToList()) Detach(id);
    }
}
