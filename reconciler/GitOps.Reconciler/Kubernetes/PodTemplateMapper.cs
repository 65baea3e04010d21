using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// A pod (or a workload's pod template) as a <see cref="PodTemplate"/>: containers and init containers,
/// the pod's volumes, restart policy (default Always), termination grace period (default 30 s),
/// hostNetwork, DNS, host aliases; nodeSelector, nodeName, affinity and tolerations become the placement
/// (<see cref="KubePlacementMapper"/>) and hostPorts published ports.
/// </summary>
internal static class PodTemplateMapper
{
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> Handled =
    [
        "containers", "initContainers", "volumes", "restartPolicy", "terminationGracePeriodSeconds", "hostname", "subdomain",
        "hostNetwork", "hostPID", "hostIPC", "dnsConfig", "dnsPolicy", "hostAliases", "nodeSelector", "nodeName", "securityContext",
        "enableServiceLinks", "schedulerName", "affinity", "tolerations",
    ];

    public sealed record Result(PodTemplate Template, Placement Placement, List<PortBinding> HostPorts);

    public static Result Map(YMapping? metadata, YMapping spec, IReadOnlySet<string> claimTemplates, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var e in spec.Entries)
            if (!Handled.Contains(e.Key.Value)) ctx.Unsupported(e.Key, $"'{e.Key.Value}' is not supported by gitops and is ignored", "k8s.unsupported-field");

        var volumes = KubeMountMapper.Volumes(spec, ctx);
        var podSecurity = r.Mapping(spec["securityContext"]);
        var podUser = KubeContainerMapper.User(podSecurity, ctx);
        var hostPorts = new List<PortBinding>();
        var containers = new List<Container>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in r.Sequence(spec["containers"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } c) continue;
            var container = KubeSecurityMapper.Apply(KubeContainerMapper.Map(c, volumes, claimTemplates, podUser, hostPorts, ctx), c, podSecurity, volumes, ctx);
            if (!names.Add(container.Name)) ctx.Diagnostics.Error(c["name"] ?? c, $"duplicate container name '{container.Name}'", "k8s.container");
            containers.Add(container);
        }
        if (containers.Count == 0) ctx.Diagnostics.Error(spec, "a pod needs at least one container", "k8s.containers");
        var init = new List<Container>();
        foreach (var item in r.Sequence(spec["initContainers"])?.Items ?? [])
            if (r.Mapping(item) is { } c) init.Add(KubeSecurityMapper.Apply(KubeContainerMapper.Map(c, volumes, claimTemplates, podUser, hostPorts, ctx), c, podSecurity, volumes, ctx));

        var restart = r.String(spec["restartPolicy"]) switch
        {
            null or "Always" => RestartPolicy.Always,
            "OnFailure" => RestartPolicy.Never with { Condition = RestartCondition.OnFailure },
            "Never" => RestartPolicy.Never,
            var other => BadRestart(spec["restartPolicy"]!, other, ctx),
        };

        var mode = r.Bool(spec["hostNetwork"]) == true ? new NetworkMode(NetworkModeKind.Host, null) : NetworkMode.Default;
        ctx.Sources.Field(null, "networkMode", spec["hostNetwork"]);
        ctx.Sources.Field(null, "pid", spec["hostPID"]);
        ctx.Sources.Field(null, "ipc", spec["hostIPC"]);
        var dns = r.Mapping(spec["dnsConfig"]);
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
            r.Bool(spec["hostPID"]) == true ? "host" : null);
        return new Result(template, KubePlacementMapper.Map(spec, metadata, ctx), hostPorts);
    }

    private static RestartPolicy BadRestart(YNode node, string value, LoadContext ctx)
    {
        ctx.Diagnostics.Error(node, $"expected one of 'Always', 'OnFailure', 'Never', got \"{value}\"", "manifest.enum");
        return RestartPolicy.Always;
    }
}
