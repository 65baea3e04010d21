using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// Kubernetes probes (exec, httpGet, tcpSocket, grpc) with the API's defaults: no initial delay, every 10 s,
/// 1 s timeout, 1 success, 3 failures. A port given by name is resolved against the container's ports.
/// </summary>
internal static class ProbeMapper
{
    public static Probe? Map(YNode? node, IReadOnlyList<ContainerPort> ports, LoadContext ctx)
    {
        var r = ctx.Reader;
        var p = r.Mapping(node);
        if (p is null) return null;
        ProbeAction action;
        if (r.Mapping(p["exec"]) is { } exec)
            action = new ProbeAction(ProbeKind.Exec, [.. r.StringList(exec["command"]) ?? []], null, null, null, null, null, default, null);
        else if (r.Mapping(p["httpGet"]) is { } http)
        {
            var (port, name) = Port(http["port"], ports, ctx);
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var h in r.Sequence(http["httpHeaders"])?.Items ?? [])
                if (r.Mapping(h) is { } hm && r.String(hm["name"]) is { } hn) headers[hn] = r.String(hm["value"]) ?? "";
            action = new ProbeAction(ProbeKind.Http, default, r.String(http["path"]) ?? "/", port, name, (r.String(http["scheme"]) ?? "HTTP").ToUpperInvariant(), r.String(http["host"]), new ValueMap<string>(headers), null);
        }
        else if (r.Mapping(p["tcpSocket"]) is { } tcp)
        {
            var (port, name) = Port(tcp["port"], ports, ctx);
            action = new ProbeAction(ProbeKind.Tcp, default, null, port, name, null, r.String(tcp["host"]), default, null);
        }
        else if (r.Mapping(p["grpc"]) is { } grpc)
            action = new ProbeAction(ProbeKind.Grpc, default, null, r.Int(grpc["port"], 1, 65535), null, null, null, default, r.String(grpc["service"]));
        else
        {
            ctx.Diagnostics.Error(p, "a probe needs one of exec, httpGet, tcpSocket or grpc", "k8s.probe");
            return null;
        }
        return new Probe(
            action,
            r.Seconds(p["initialDelaySeconds"]) ?? TimeSpan.Zero,
            r.Seconds(p["periodSeconds"], 1) ?? TimeSpan.FromSeconds(10),
            r.Seconds(p["timeoutSeconds"], 1) ?? TimeSpan.FromSeconds(1),
            r.Int(p["successThreshold"], 1) ?? 1,
            r.Int(p["failureThreshold"], 1) ?? 3,
            TimeSpan.Zero,
            TimeSpan.Zero);
    }

    private static (int? Port, string? Name) Port(YNode? node, IReadOnlyList<ContainerPort> ports, LoadContext ctx)
    {
        if (node is not YScalar { IsNull: false } s)
        {
            ctx.Diagnostics.Error(node ?? YScalar.Text("", SourceMark.None, ""), "a probe needs a port", "k8s.probe");
            return (null, null);
        }
        if (s.TryGetInt64(out var n) && n is > 0 and <= 65535) return ((int)n, null);
        var named = ports.FirstOrDefault(p => p.Name == s.Value);
        if (named is null)
        {
            ctx.Diagnostics.Error(s, $"port '{s.Value}' is not the name of a port of this container", "k8s.named-port");
            return (null, s.Value);
        }
        return (named.Port, s.Value);
    }
}
