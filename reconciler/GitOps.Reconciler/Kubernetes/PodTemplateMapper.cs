using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// A pod (or a workload's pod template) as a <see cref="PodTemplate"/>: containers and init containers (those
/// with restartPolicy Always are native sidecars), the pod's volumes, restart policy (default Always),
/// termination grace period (default 30 s), hostNetwork, DNS, host aliases, the service account (default
/// "default", as the ServiceAccount admission plugin sets it); nodeSelector, nodeName, affinity and tolerations
/// become the placement (<see cref="KubePlacementMapper"/>) and hostPorts published ports. Container names are
/// unique across app and init containers (the API's rule).
/// </summary>
internal static class PodTemplateMapper
{
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> Handled =
    [
        "containers", "initContainers", "volumes", "restartPolicy", "terminationGracePeriodSeconds", "hostname", "subdomain",
        "hostNetwork", "hostPID", "hostIPC", "dnsConfig", "dnsPolicy", "hostAliases", "nodeSelector", "nodeName", "securityContext",
        "enableServiceLinks", "schedulerName", "serviceAccountName", "serviceAccount", "automountServiceAccountToken",
        "affinity", "tolerations",
    ];

    /// <summary>What the ServiceAccount admission plugin puts in a pod that names none.</summary>
    public const string DefaultServiceAccount = "default";

    public sealed record Result(PodTemplate Template, Placement Placement, List<PortBinding> HostPorts);

    public static Result Map(YMapping? metadata, YMapping spec, IReadOnlySet<string> claimTemplates, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var e in spec.Entries)
            if (!Handled.Contains(e.Key.Value)) ctx.Unsupported(e.Key, $"'{e.Key.Value}' is not supported by gitops", "k8s.unsupported-field", " and is ignored");

        var podSecurity = r.Mapping(spec["securityContext"]);
        var appNodes = (r.Sequence(spec["containers"])?.Items ?? []).Select(r.Mapping).OfType<YMapping>().ToList();
        var initNodes = (r.Sequence(spec["initContainers"])?.Items ?? []).Select(r.Mapping).OfType<YMapping>().ToList();
        var allNames = appNodes.Concat(initNodes).Select(c => (c["name"] as YScalar)?.Value).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var pod = new PodScope(KubeMountMapper.Volumes(spec, ctx), claimTemplates, KubeContainerMapper.User(podSecurity, ctx),
            r.Bool(spec["hostNetwork"]) == true, allNames, []);
        var names = new HashSet<string>(StringComparer.Ordinal);
        List<Container> MapAll(List<YMapping> nodes, bool init)
        {
            var result = new List<Container>();
            foreach (var c in nodes)
            {
                var container = KubeSecurityMapper.Apply(KubeContainerMapper.Map(c, pod, init, ctx), c, podSecurity, pod.Volumes, ctx);
                if (!names.Add(container.Name)) ctx.Diagnostics.Error(c["name"] ?? c, $"duplicate container name '{container.Name}' (names are unique across containers and initContainers)", "k8s.container");
                result.Add(container);
            }
            return result;
        }
        var containers = MapAll(appNodes, init: false);
        if (containers.Count == 0) ctx.Diagnostics.Error(spec, "a pod needs at least one container", "k8s.containers");
        var init = MapAll(initNodes, init: true);
        var hostPorts = pod.HostPorts;

        var restart = r.String(spec["restartPolicy"]) switch
        {
            null or "Always" => RestartPolicy.Always,
            "OnFailure" => RestartPolicy.Never with { Condition = RestartCondition.OnFailure },
            "Never" => RestartPolicy.Never,
            var other => BadRestart(spec["restartPolicy"]!, other, ctx),
        };

        var mode = pod.HostNetwork ? new NetworkMode(NetworkModeKind.Host, null) : NetworkMode.Default;
        ctx.Sources.Field(null, "networkMode", spec["hostNetwork"]);
        ctx.Sources.Field(null, "pid", spec["hostPID"]);
        ctx.Sources.Field(null, "ipc", spec["hostIPC"]);
        var dns = r.Mapping(spec["dnsConfig"]);
        DnsValues.Nameservers(dns?["nameservers"], ctx, "k8s.dns");
        DnsValues.Searches(dns?["searches"], ctx, "k8s.dns");
        foreach (var o in (r.Sequence(dns?["options"])?.Items ?? []).Select(r.Mapping).OfType<YMapping>())
            if (o["name"] is not YScalar { IsNull: false } optionName) ctx.Diagnostics.Error(o, "a DNS option needs a name", "k8s.dns");
            else DnsValues.Options(optionName, ctx, "k8s.dns");
        var extraHosts = new List<string>();
        foreach (var item in r.Sequence(spec["hostAliases"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } ha || r.String(ha["ip"]) is not { } ip) continue;
            foreach (var host in r.StringList(ha["hostnames"]) ?? []) extraHosts.Add(host + ":" + ip);
        }

        var template = new PodTemplate(
            new ValueMap<string>(r.StringMap(metadata?["labels"]) ?? []),
            new ValueMap<string>(r.StringMap(metadata?["annotations"]) ?? []),
            [.. containers],
            [.. init],
            r.String(spec["hostname"]),
            r.String(spec["subdomain"]),
            mode,
            mode.Kind == NetworkModeKind.Default ? [new NetworkAttachment("default", default, null, null, null, 0)] : default,
            [.. r.StringList(dns?["nameservers"]) ?? []],
            [.. r.StringList(dns?["searches"]) ?? []],
            [.. extraHosts.Distinct().Order(StringComparer.Ordinal)],
            restart,
            r.Seconds(spec["terminationGracePeriodSeconds"]) ?? DefaultGracePeriod,
            default,
            r.Bool(spec["hostIPC"]) == true ? "host" : null,
            r.Bool(spec["hostPID"]) == true ? "host" : null,
            ServiceAccount(spec, ctx),
            DnsPolicy(spec, ctx),
            [.. (r.Sequence(dns?["options"])?.Items ?? []).Select(r.Mapping).OfType<YMapping>()
                .Select(o => r.String(o["name"]) is not { } name ? null : r.String(o["value"]) is { } value ? name + ":" + value : name).OfType<string>()]);
        return new Result(template, KubePlacementMapper.Map(spec, metadata, ctx), hostPorts);
    }

    /// <summary>serviceAccountName (or its deprecated alias serviceAccount); "default" is kept as null, so writing the default changes no spec.</summary>
    private static string? ServiceAccount(YMapping spec, LoadContext ctx)
    {
        var name = ctx.Reader.String(spec["serviceAccountName"]) ?? ctx.Reader.String(spec["serviceAccount"]);
        return name is null or "" or DefaultServiceAccount ? null : name;
    }

    /// <summary>dnsPolicy: ClusterFirst (the default, kept as null), ClusterFirstWithHostNet, Default or None.</summary>
    private static string? DnsPolicy(YMapping spec, LoadContext ctx)
    {
        var policy = ctx.Reader.String(spec["dnsPolicy"]);
        switch (policy)
        {
            case null or "ClusterFirst": return null;
            case "ClusterFirstWithHostNet" or "Default": return policy;
            case "None":
                if (ctx.Reader.StringList((spec["dnsConfig"] as YMapping)?["nameservers"]) is not { Count: > 0 })
                    ctx.Diagnostics.Error(spec["dnsPolicy"]!, "dnsPolicy None needs dnsConfig.nameservers", "k8s.dns");
                return policy;
            default:
                ctx.Diagnostics.Error(spec["dnsPolicy"]!, $"expected one of 'ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None', got \"{policy}\"", "manifest.enum");
                return null;
        }
    }

    private static RestartPolicy BadRestart(YNode node, string value, LoadContext ctx)
    {
        ctx.Diagnostics.Error(node, $"expected one of 'Always', 'OnFailure', 'Never', got \"{value}\"", "manifest.enum");
        return RestartPolicy.Always;
    }
}
