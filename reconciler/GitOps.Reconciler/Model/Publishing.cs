using System.Globalization;

namespace GitOps.Reconciler.Model;

/// <summary>
/// How a service's published ports reach the node, per format, and whether its replicas can all have them.
/// <list type="bullet">
/// <item>Compose binds ports on each container, as <c>docker compose</c> does: a fixed host port serves one
/// replica, a range gives each replica the next port of its own, no host port an ephemeral one each. Only a
/// start-first update needs a router (the port must outlive the old replica while the new one starts), and an
/// <c>x-rollout</c> (the router moves the canary's or blue-green's traffic).</item>
/// <item>A Swarm stack publishes <c>mode: ingress</c> ports (the default) on a router in front of all replicas
/// (the routing mesh), so one port serves any number of them; <c>mode: host</c> binds on the node that runs the
/// replica, which on one node means one replica.</item>
/// <item>Kubernetes workloads publish through routers (Services, hostPort).</item>
/// </list>
/// Networks other than the application's own (host, none, another container's) have no router to put in front.
/// </summary>
internal static class Publishing
{
    /// <summary>Whether <paramref name="port"/> of <paramref name="s"/> is published by a router rather than on each replica.</summary>
    public static bool ViaRouter(Service s, PortBinding port)
    {
        if (s.Template.NetworkMode.Kind is not (NetworkModeKind.Default or NetworkModeKind.Bridge)) return false;
        return s.Format switch
        {
            // A canary or blue-green (x-rollout) moves traffic by weight between versions: that is the router's work.
            SourceFormat.Compose => StartFirst(s) || s.Rollout is not null,
            SourceFormat.Stack => port.Mode == PortMode.Ingress,
            _ => true,
        };
    }

    public static IEnumerable<PortBinding> Routed(Service s) => s.Ports.Where(p => ViaRouter(s, p));

    /// <summary>The ports each replica binds itself (with <see cref="HostPort"/> saying which host port replica N gets).</summary>
    public static IEnumerable<PortBinding> Direct(Service s) => s.Ports.Where(p => !ViaRouter(s, p));

    static bool StartFirst(Service s) => s.Update is { Kind: UpdateKind.Rolling, MaxSurge.Value: > 0 };

    /// <summary>
    /// The host port the replica in <paramref name="slot"/> (0 for the first) binds for a directly published
    /// port: the fixed port, the slot's port of a range, or null for an ephemeral one.
    /// </summary>
    public static int? HostPort(PortBinding port, int slot) => port switch
    {
        { Published: null } => null,
        { Published: { } first, PublishedEnd: { } last } => first + slot <= last ? first + slot : null,
        { Published: { } fixedPort } => fixedPort,
    };

    /// <summary>The host ports <paramref name="replicas"/> replicas take for <paramref name="port"/> (for conflicts across services).</summary>
    public static IEnumerable<int> HostPorts(Service s, PortBinding port, int replicas)
    {
        if (port.Published is not { } first) return [];
        if (ViaRouter(s, port) || port.PublishedEnd is not { } last) return [first];
        return Enumerable.Range(first, Math.Max(1, Math.Min(replicas, last - first + 1)));
    }

    /// <summary>A service's effective replica count on this node (global: one).</summary>
    public static int Replicas(Service s) => s.Replication.Mode == ReplicationMode.Global ? 1 : s.Replication.Replicas;

    /// <summary>
    /// What keeps <paramref name="replicas"/> replicas from all publishing their ports, by index into
    /// <see cref="Service.Ports"/>; empty when they can. Checked before anything is applied: a port conflict
    /// found while applying would leave a service half rolled out.
    /// </summary>
    public static IEnumerable<(int Index, string Message)> Problems(Service s, int replicas)
    {
        // Kubernetes leaves a pod that cannot get its hostPort Pending rather than refusing the manifest; with
        // another container's or the host's network, published ports mean nothing (Docker discards them).
        if (s.Format == SourceFormat.Kubernetes || s.Template.NetworkMode.Kind is not (NetworkModeKind.Default or NetworkModeKind.Bridge)) yield break;
        for (var i = 0; i < s.Ports.Count; i++)
        {
            var p = s.Ports[i];
            var port = $"{p.PublishedText}:{p.Target}/{p.Protocol}";
            if (ViaRouter(s, p))
            {
                // Only Compose keeps ranges (stacks expand them); its router exists for start-first updates.
                if (p.PublishedEnd is not null)
                    yield return (i, $"service '{s.Name}' publishes the range {port} with a start-first update: a range gives each replica a port of " +
                        "its own, which cannot be handed from the old replica to the new one; publish one port (the router in front of all replicas " +
                        "takes it) or update stop-first");
                continue;
            }
            if (p.Published is not { } first) continue;
            if (StartFirst(s) && p.PublishedEnd is null)
            {
                // Only a stack's mode: host ports get here with a start-first update (Compose's go through a router then).
                yield return (i, $"service '{s.Name}' publishes host port {first}/{p.Protocol} in mode: host with a start-first update: the new " +
                    "replica would start while the old one still holds the port; use mode: ingress or update stop-first");
                continue;
            }
            if (replicas <= 1) continue;
            if (p.PublishedEnd is { } last)
            {
                if (last - first + 1 < replicas)
                    yield return (i, $"service '{s.Name}' has {replicas} replicas but the published range {p.PublishedText} has {last - first + 1} port(s) " +
                        $"for container port {p.Target}/{p.Protocol}: each replica takes a port of its own; widen the range to {first}-{first + replicas - 1}");
                continue;
            }
            yield return s.Format == SourceFormat.Stack
                ? (i, $"service '{s.Name}' has {replicas} replicas but publishes host port {first}/{p.Protocol} in mode: host, which binds the port on " +
                    "the node that runs the replica, so this node can run only one of them; use mode: ingress (the routing mesh in front of all " +
                    "replicas takes the port) or one replica")
                : (i, $"service '{s.Name}' has {replicas} replicas but publishes the fixed host port {first}/{p.Protocol}, which only one container " +
                    $"can bind: publish a range with a port per replica (\"{first}-{first + replicas - 1}:{p.Target}\"), or leave the host port out " +
                    $"(\"{p.Target}\") for an ephemeral port each");
        }
    }

    /// <summary>Text that identifies how each replica publishes (part of the replica's spec hash: a change recreates it).</summary>
    public static string? DirectSpec(Service s)
    {
        var direct = Direct(s).ToList();
        if (direct.Count == 0) return null;
        return string.Join(",", direct.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.HostIp}:{p.PublishedText}:{p.Target}/{p.Protocol}")));
    }
}
