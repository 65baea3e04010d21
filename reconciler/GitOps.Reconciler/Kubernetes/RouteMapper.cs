using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// A Kubernetes Service as a route in front of the services its selector matches. ClusterIP (default),
/// NodePort, LoadBalancer (published like NodePort: there is no cloud load balancer here) and headless
/// (<c>clusterIP: None</c>); a targetPort given by name is resolved in each backend's container ports. The API
/// server's defaults apply: type ClusterIP, protocol TCP, targetPort = port when 0 or empty, nodePort 0 = none.
/// </summary>
internal static class RouteMapper
{
    public static Route? Map(KubeObject obj, IReadOnlyDictionary<string, Service> services, LoadContext ctx)
    {
        var r = ctx.Reader;
        var spec = obj.Spec ?? YTree.EmptyMapping(obj.Root.Mark, NodePath.Key(obj.PathPrefix, "spec"));
        var requested = r.String(spec["type"]) ?? "ClusterIP";
        RouteType type;
        switch (requested)
        {
            case "ClusterIP": type = RouteType.ClusterIp; break;
            case "NodePort" or "LoadBalancer": type = RouteType.NodePort; break;
            case "ExternalName":
                ctx.Unsupported(spec["type"]!, $"Service '{obj.Name}' of type ExternalName is not supported by gitops", outcome: "; no route is created");
                return null;
            default:
                ctx.Diagnostics.Error(spec["type"]!, $"expected one of 'ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', got \"{requested}\"", "manifest.enum");
                return null;
        }
        if ((spec["clusterIP"] as YScalar)?.Value == "None")
        {
            if (type == RouteType.NodePort) ctx.Diagnostics.Error(spec["clusterIP"]!, "a headless service (clusterIP: None) cannot be of type " + requested, "k8s.service");
            type = RouteType.Headless;
        }

        var selector = r.StringMap(spec["selector"]) ?? [];
        if (selector.Count == 0)
            ctx.Unsupported(spec["selector"] ?? spec, $"Service '{obj.Name}' has no selector; Services with manually managed endpoints are not supported by gitops", outcome: " (it gets no backends)");
        var matcher = LabelSelector.FromMap(selector);
        var backends = selector.Count == 0 ? [] : services.Values.Where(s => s.Format == SourceFormat.Kubernetes && matcher.Matches(s.Template.Labels)).Select(s => s.Name).Order(StringComparer.Ordinal).ToList();
        if (selector.Count > 0 && backends.Count == 0)
            ctx.Diagnostics.Warning(spec["selector"]!, $"Service '{obj.Name}' selects no workload of this application ({string.Join(", ", selector.Select(kv => kv.Key + "=" + kv.Value))})", "k8s.selector-empty");

        var ports = new List<RoutePort>();
        var portsNode = r.Sequence(spec["ports"]);
        for (var i = 0; i < (portsNode?.Count ?? 0); i++)
        {
            if (r.Mapping(portsNode!.Items[i]) is not { } p) continue;
            if (r.Int(p["port"], 1, 65535) is not { } port) continue;
            var protocol = (r.String(p["protocol"]) ?? "TCP").ToLowerInvariant();
            var targetNode = p["targetPort"] as YScalar;
            // SetDefaults_Service: a targetPort of 0 or "" is the port itself; a nodePort of 0 is "not set" (one is allocated).
            var target = targetNode is null || targetNode.IsNull || targetNode.Value is "" or "0" ? YScalar.Invariant(port) : targetNode.Value;
            var nodePort = r.Int(p["nodePort"], 0, 65535) is { } np and not 0 ? np : (int?)null;
            if (nodePort is not null && type != RouteType.NodePort)
                ctx.Diagnostics.Error(p["nodePort"]!, $"nodePort needs type NodePort or LoadBalancer, not {requested}", "k8s.service");
            var resolved = new Dictionary<string, int>(StringComparer.Ordinal);
            var isNumber = int.TryParse(target, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var targetNumber);
            var unresolved = new List<string>();
            foreach (var backend in backends)
            {
                if (isNumber) { resolved[backend] = targetNumber; continue; }
                var named = services[backend].Template.Containers.SelectMany(c => c.Ports).FirstOrDefault(cp => cp.Name == target && cp.Protocol == protocol);
                if (named is not null) resolved[backend] = named.Port;
                else unresolved.Add(backend);
            }
            if (!isNumber && backends.Count > 0 && resolved.Count == 0)
                ctx.Diagnostics.Error(targetNode!, $"targetPort '{target}' does not name a {protocol} container port of any selected workload ({string.Join(", ", backends)})", "k8s.named-port");
            else
                foreach (var backend in unresolved)
                    ctx.Diagnostics.Warning(targetNode!, $"targetPort '{target}' names no {protocol} port of '{backend}'; it gets no traffic on this port", "k8s.named-port");
            ctx.Sources.Add(SourceMap.RoutePort(obj.ModelName, ports.Count), p["nodePort"] ?? p);
            ports.Add(new RoutePort(r.String(p["name"]), port, protocol, target, type == RouteType.NodePort ? nodePort : null, new ValueMap<int>(resolved)));
        }
        return new Route(obj.ModelName, type, new ValueMap<string>(selector), [.. backends], [.. ports], r.String(spec["sessionAffinity"]) is "ClientIP" ? "ClientIP" : null,
            new ValueMap<string>(r.StringMap(obj.Metadata?["labels"]) ?? []), requested == "LoadBalancer" ? requested : null);
    }
}
