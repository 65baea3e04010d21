using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// Kubernetes probes (exec, httpGet, tcpSocket, grpc) with the API's defaults (SetDefaults_Probe,
/// SetDefaults_HTTPGetAction): no initial delay, every 10 s, 1 s timeout, 1 success, 3 failures — a 0 in any
/// of those four is "not set" too — and an HTTP GET of "/" over HTTP. A port given by name is resolved against
/// the container's ports.
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
            var path = r.String(http["path"]) is { Length: > 0 } p1 ? p1 : "/";
            var scheme = r.String(http["scheme"]) is { Length: > 0 } s1 ? s1.ToUpperInvariant() : "HTTP";
            action = new ProbeAction(ProbeKind.Http, default, path, port, name, scheme, r.String(http["host"]), new ValueMap<string>(headers), null);
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
            TimeSpan.FromSeconds(Unset0(p["periodSeconds"], ctx) ?? 10),
            TimeSpan.FromSeconds(Unset0(p["timeoutSeconds"], ctx) ?? 1),
            Unset0(p["successThreshold"], ctx) ?? 1,
            Unset0(p["failureThreshold"], ctx) ?? 3,
            TimeSpan.Zero,
            TimeSpan.Zero);
    }

    /// <summary>A count where 0, as null, means "the default".</summary>
    private static int? Unset0(YNode? node, LoadContext ctx) => ctx.Reader.Int(node, 0) is { } n and not 0 ? n : null;

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
