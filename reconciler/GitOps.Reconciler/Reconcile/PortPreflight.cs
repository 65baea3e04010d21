using System.Net;
using System.Net.Sockets;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Ports;

namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// Before the first step of a plan: every host port the plan is about to bind (replicas that publish directly,
/// routers with a published port) must be free, or held by this application's own containers and routers, which
/// the plan moves out of the way itself. A port held by another application or another process fails the apply
/// before anything is touched, instead of after half of a service was replaced.
/// </summary>
internal static class PortPreflight
{
    public static void Check(IEnginePort engine, DesiredApp app, Plan plan)
    {
        var needed = Needed(app, plan).ToList();
        if (needed.Count == 0) return;
        var ours = OwnPorts(engine, app.App);
        var problems = new List<string>();
        foreach (var (port, protocol, hostIp, who) in needed.DistinctBy(n => (n.Port, n.Protocol, n.HostIp)))
        {
            if (ours.Contains((port, protocol)) || CanBind(port, protocol, hostIp)) continue;
            problems.Add($"{who} needs host port {port}/{protocol}, which {Holder(engine, port, protocol) ?? "another process"} holds");
        }
        if (problems.Count > 0) throw new ApplyException("published ports", string.Join("; ", problems) + "; nothing was changed");
    }

    static IEnumerable<(int Port, string Protocol, string? HostIp, string Who)> Needed(DesiredApp app, Plan plan)
    {
        foreach (var step in plan.Steps)
            switch (step)
            {
                case RolloutService r:
                    var svc = r.Service;
                    foreach (var o in r.Create.Concat(r.Replace).Concat(r.Start))
                        foreach (var p in Publishing.Direct(svc.Spec))
                            if (Publishing.HostPort(p, o - svc.FirstOrdinal) is { } hp && hp > 0)
                                yield return (hp, p.Protocol, p.HostIp, $"replica {svc.ReplicaName(app.Project, o)}");
                    break;
                case EnsureRouter { Router.HostPort: { } hp } e when hp > 0:
                    yield return (hp, e.Router.Protocol, null, $"router {e.Router.Name}");
                    break;
            }
    }

    /// <summary>Host ports this application's containers and routers publish now.</summary>
    static HashSet<(int, string)> OwnPorts(IEnginePort engine, string app)
    {
        var ports = new HashSet<(int, string)>();
        foreach (var c in engine.Containers().Where(c => c.Labels.GetValueOrDefault(ManagedLabels.App) == app))
            foreach (var (port, protocol) in c.Published) ports.Add((port, protocol));
        foreach (var r in engine.Routers().Where(r => r.Labels.GetValueOrDefault(ManagedLabels.App) == app))
            if (r.HostPort is { } hp) ports.Add((hp, r.Protocol));
        return ports;
    }

    static string? Holder(IEnginePort engine, int port, string protocol)
    {
        foreach (var c in engine.Containers().Where(c => c.Running))
            if (c.Published.Contains(new HostPort(port, protocol))) return $"container {c.Name}";
        return engine.Routers().FirstOrDefault(r => r.HostPort == port && r.Protocol == protocol) is { } router ? $"router {router.Name}" : null;
    }

    /// <summary>Whether nothing holds the port (the engine keeps a socket bound for every port it publishes).</summary>
    static bool CanBind(int port, string protocol, string? hostIp)
    {
        if (protocol is not ("tcp" or "udp")) return true; // nothing to try it with; the engine says at start
        var ip = IPAddress.Any;
        if (hostIp is { Length: > 0 } && (!IPAddress.TryParse(hostIp, out ip) || ip.AddressFamily != AddressFamily.InterNetwork)) return true;
        try
        {
            using var s = protocol == "udp" ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
                : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(ip!, port));
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied) { return false; }
    }
}
