using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Swarm;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// One Compose or stack service as a model service. Fields gitops cannot honour are reported (warnings, or
/// errors with --strict), never dropped in silence; <c>x-</c> extensions are ignored by definition.
/// </summary>
internal static class ServiceMapper
{
    /// <summary>Keys this mapper reads (or that were consumed before: extends, profiles).</summary>
    private static readonly HashSet<string> Handled =
    [
        "image", "build", "pull_policy", "command", "entrypoint", "environment", "env_file", "user", "working_dir", "expose", "ports",
        "volumes", "tmpfs", "secrets", "configs", "healthcheck", "cpus", "mem_limit", "mem_reservation", "pids_limit", "shm_size",
        "ulimits", "logging", "privileged", "read_only", "cap_add", "cap_drop", "security_opt", "init", "tty", "stdin_open",
        "stop_signal", "stop_grace_period", "sysctls", "platform", "labels", "label_file", "annotations", "hostname", "domainname",
        "networks", "network_mode", "dns", "dns_search", "dns_opt", "extra_hosts", "depends_on", "restart", "deploy", "scale", "volumes_from",
        "ipc", "pid", "profiles", "extends", "container_name", "devices",
    ];

    public static Service Map(string name, YMapping svc, ComposeProject project, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var e in svc.Entries)
        {
            var key = e.Key.Value;
            if (Handled.Contains(key) || key.StartsWith("x-", StringComparison.Ordinal)) continue;
            ctx.Unsupported(e.Key, $"'{key}' is not supported by gitops", "compose.unsupported-field", " and is ignored");
        }
        if (svc["container_name"] is { } containerName)
            ctx.Diagnostics.Warning(containerName, "container_name is ignored: gitops names containers after the application, service and replica", "compose.container-name");

        var deploy = DeployMapper.Map(svc, project.Stack, ctx);
        var container = ContainerMapper.Map(name, svc, project, deploy, ctx);
        var networkMode = NetworkModeOf(svc["network_mode"], ctx);
        ctx.Sources.Field(null, "networkMode", svc["network_mode"]);
        ctx.Sources.Field(null, "pid", svc["pid"]);
        ctx.Sources.Field(null, "ipc", svc["ipc"]);
        ctx.Sources.Field(null, "volumesFrom", svc["volumes_from"]);

        DnsValues.Nameservers(svc["dns"], ctx, "compose.dns");
        DnsValues.Searches(svc["dns_search"], ctx, "compose.dns");
        DnsValues.Options(svc["dns_opt"], ctx, "compose.dns");
        var templateLabels = Labels(svc, project, ctx);
        var template = new PodTemplate(
            templateLabels,
            new ValueMap<string>((r.ListOrDict(svc["annotations"]) ?? []).Select(a => KeyValuePair.Create(a.Key, a.Value ?? ""))),
            [container],
            default,
            r.String(svc["hostname"]),
            r.String(svc["domainname"]),
            networkMode,
            Networks(svc, networkMode, ctx),
            [.. r.StringList(svc["dns"], allowSingle: true) ?? []],
            [.. r.StringList(svc["dns_search"], allowSingle: true) ?? []],
            ExtraHosts(svc["extra_hosts"], ctx),
            Restart(svc, project.Stack, deploy, ctx),
            r.Duration(svc["stop_grace_period"]) ?? SwarmDefaults.StopGracePeriod,
            [.. r.StringList(svc["volumes_from"]) ?? []],
            r.String(svc["ipc"]),
            r.String(svc["pid"]),
            DnsOptions: [.. r.StringList(svc["dns_opt"]) ?? []]);

        // Whether the replicas can all publish them is checked on the finished model (Validation.ReplicaPortCheck).
        var ports = Ports(name, svc, project.Stack, ctx);

        return new Service(
            name,
            project.Stack ? SourceFormat.Stack : SourceFormat.Compose,
            WorkloadKind.Service,
            deploy.Labels,
            template,
            deploy.Replication,
            deploy.Update,
            deploy.Rollback,
            deploy.Placement,
            [.. ports],
            deploy.EndpointMode,
            Dependencies(svc["depends_on"], ctx),
            null);
    }

    private static ValueMap<string> Labels(YMapping svc, ComposeProject project, LoadContext ctx)
    {
        var r = ctx.Reader;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = svc["label_file"] switch { YScalar { IsNull: false } one => [one], YSequence seq => seq.Items, _ => [] };
        foreach (var item in files)
        {
            if (r.String(item) is not { } path) continue;
            if (ctx.Paths.Read(path, project.RootDir, item.Mark, item.Path, "label_file") is not { } local) continue;
            foreach (var e in ComposeEnvironment.ReadEnvFile(local, _ => null, ctx, item.Mark, item.Path) ?? []) labels[e.Key] = e.Value;
        }
        foreach (var (k, v, _) in r.ListOrDict(svc["labels"]) ?? []) labels[k] = v ?? "";
        return new ValueMap<string>(labels);
    }

    private static NetworkMode NetworkModeOf(YNode? node, LoadContext ctx)
    {
        if (node is not YScalar { IsNull: false } s) return NetworkMode.Default;
        var v = s.Value;
        if (v.StartsWith("service:", StringComparison.Ordinal)) return new NetworkMode(NetworkModeKind.Service, v[8..]);
        if (v.StartsWith("container:", StringComparison.Ordinal)) return new NetworkMode(NetworkModeKind.Container, v[10..]);
        switch (v)
        {
            case "host": return new NetworkMode(NetworkModeKind.Host, null);
            case "none": return new NetworkMode(NetworkModeKind.None, null);
            case "bridge": return new NetworkMode(NetworkModeKind.Bridge, null);
            default:
                ctx.Diagnostics.Error(s, $"expected 'host', 'none', 'bridge', 'service:NAME' or 'container:NAME', got \"{v}\"", "compose.network-mode");
                return NetworkMode.Default;
        }
    }

    /// <summary>Networks as a list or a mapping with aliases and addresses; none given means the project's "default" network.</summary>
    private static ValueList<NetworkAttachment> Networks(YMapping svc, NetworkMode mode, LoadContext ctx)
    {
        var r = ctx.Reader;
        var result = new List<NetworkAttachment>();
        switch (svc["networks"])
        {
            case YSequence seq:
                foreach (var item in seq.Items)
                    if (r.String(item) is { } n) result.Add(new NetworkAttachment(n, default, null, null, null, 0));
                break;
            case YMapping map:
                foreach (var e in map.Entries)
                {
                    var cfg = r.Mapping(e.Value);
                    result.Add(new NetworkAttachment(
                        e.Key.Value,
                        [.. (r.StringList(cfg?["aliases"]) ?? []).Distinct().Order(StringComparer.Ordinal)],
                        r.String(cfg?["ipv4_address"]),
                        r.String(cfg?["ipv6_address"]),
                        r.String(cfg?["mac_address"]),
                        r.Int(cfg?["priority"]) ?? 0));
                }
                break;
            case null or YScalar { IsNull: true }:
                if (mode.Kind == NetworkModeKind.Default) result.Add(new NetworkAttachment("default", default, null, null, null, 0));
                break;
            default:
                r.Error(svc["networks"]!, $"expected a sequence or a mapping, got {svc["networks"]!.TypeName}", "manifest.type");
                break;
        }
        return [.. result.OrderBy(n => n.Network, StringComparer.Ordinal)];
    }

    private static ValueList<string> ExtraHosts(YNode? node, LoadContext ctx)
    {
        var hosts = new List<string>();
        foreach (var (key, value, _) in ctx.Reader.ListOrDict(node) ?? [])
        {
            if (value is not null) { hosts.Add(key + ":" + value); continue; }
            // List form "host:ip" (or "host=ip", already split above).
            var colon = key.IndexOf(':', StringComparison.Ordinal);
            hosts.Add(colon < 0 ? key : key[..colon] + ":" + key[(colon + 1)..]);
        }
        return [.. hosts.Distinct().Order(StringComparer.Ordinal)];
    }

    private static RestartPolicy Restart(YMapping svc, bool stack, DeploySettings deploy, LoadContext ctx)
    {
        var node = svc["restart"];
        if (stack)
        {
            if (node is not null) ctx.Diagnostics.Warning(node, "restart is ignored in a stack; use deploy.restart_policy", "stack.restart");
            return deploy.Restart ?? SwarmDefaults.Restart;
        }
        if (node is YScalar { IsNull: false } s)
        {
            var v = s.Value;
            switch (v)
            {
                case "no" or "\"no\"": return RestartPolicy.Never;
                case "always": return RestartPolicy.Always;
                case "unless-stopped": return RestartPolicy.Always with { Condition = RestartCondition.UnlessStopped };
                case "on-failure": return RestartPolicy.Never with { Condition = RestartCondition.OnFailure };
            }
            if (v.StartsWith("on-failure:", StringComparison.Ordinal) && int.TryParse(v[11..], out var max) && max >= 0)
                return new RestartPolicy(RestartCondition.OnFailure, max == 0 ? null : max, TimeSpan.Zero, TimeSpan.Zero);
            ctx.Diagnostics.Error(s, $"expected one of 'no', 'always', 'on-failure[:MAX]', 'unless-stopped', got \"{v}\"", "compose.restart");
            return RestartPolicy.Never;
        }
        return deploy.Restart ?? RestartPolicy.Never;
    }

    private static List<PortBinding> Ports(string service, YMapping svc, bool stack, LoadContext ctx)
    {
        var r = ctx.Reader;
        var defaultMode = stack ? PortMode.Ingress : PortMode.Host;
        var result = new List<PortBinding>();
        foreach (var item in r.Sequence(svc["ports"])?.Items ?? [])
        {
            var start = result.Count;
            switch (item)
            {
                case YScalar { IsNull: false } s:
                {
                    var specs = PortSyntax.Parse(s.Value, out var error);
                    if (error is not null) { ctx.Diagnostics.Error(s, $"invalid port \"{s.Value}\": {error}", "compose.port"); break; }
                    foreach (var p in specs)
                        result.AddRange(Published(new PortBinding(p.Target, p.Published, p.Protocol, p.HostIp, defaultMode, null, null) { PublishedEnd = p.PublishedEnd }, stack));
                    break;
                }
                case YMapping m:
                {
                    var target = r.String(m["target"]);
                    if (target is null || !PortSyntax.TryRange(target, out var t0, out var t1)) { ctx.Diagnostics.Error(m["target"] ?? m, "expected a container port ('target')", "compose.port"); break; }
                    var published = r.String(m["published"]);
                    int p0 = 0, p1 = 0;
                    if (published is { Length: > 0 } && !PortSyntax.TryRange(published, out p0, out p1)) { ctx.Diagnostics.Error(m["published"]!, $"invalid published port \"{published}\"", "compose.port"); break; }
                    var mode = r.String(m["mode"]) switch
                    {
                        null => defaultMode,
                        "host" => PortMode.Host,
                        "ingress" => PortMode.Ingress,
                        var other => Bad(m["mode"]!, other, ctx, defaultMode),
                    };
                    var hasPublished = published is { Length: > 0 };
                    if (hasPublished && t1 > t0 && p1 - p0 != t1 - t0) { ctx.Diagnostics.Error(m["published"]!, $"published range \"{published}\" and target range \"{target}\" differ in length", "compose.port"); break; }
                    if (hasPublished && p1 - p0 >= PortSyntax.MaxRange) { ctx.Diagnostics.Error(m["published"]!, $"port range of {p1 - p0 + 1} ports is larger than {PortSyntax.MaxRange}", "compose.port"); break; }
                    for (var i = 0; i <= t1 - t0 && i < PortSyntax.MaxRange; i++)
                        result.AddRange(Published(new PortBinding(t0 + i, hasPublished ? p0 + i : null, (r.String(m["protocol"]) ?? "tcp").ToLowerInvariant(),
                            r.String(m["host_ip"]), mode, r.String(m["name"]), r.String(m["app_protocol"])) { PublishedEnd = hasPublished && t1 == t0 && p1 > p0 ? p1 : null }, stack));
                    break;
                }
                default:
                    if (item is YScalar { IsNull: true }) break;
                    ctx.Diagnostics.Error(item, $"expected a port string or a mapping, got {item.TypeName}", "manifest.type");
                    break;
            }
            for (var i = start; i < result.Count; i++) ctx.Sources.Add(SourceMap.PublishedPort(service, i), item);
        }
        return result;
    }

    /// <summary>
    /// A published range for one container port: Compose keeps it (each replica takes a port of the range), a
    /// stack publishes every port of it, each in front of all replicas, as <c>docker stack deploy</c> does.
    /// </summary>
    private static IEnumerable<PortBinding> Published(PortBinding port, bool stack)
    {
        if (!stack || port is not { Published: { } first, PublishedEnd: { } last }) { yield return port; yield break; }
        for (var p = first; p <= last; p++) yield return port with { Published = p, PublishedEnd = null };
    }

    private static PortMode Bad(YNode node, string value, LoadContext ctx, PortMode fallback)
    {
        ctx.Diagnostics.Error(node, $"expected one of 'host', 'ingress', got \"{value}\"", "manifest.enum");
        return fallback;
    }

    private static ValueList<Dependency> Dependencies(YNode? node, LoadContext ctx)
    {
        var r = ctx.Reader;
        var result = new List<Dependency>();
        switch (node)
        {
            case YSequence seq:
                foreach (var item in seq.Items)
                    if (r.String(item) is { } n) result.Add(new Dependency(n, DependencyCondition.Started, false, true));
                break;
            case YMapping map:
                foreach (var e in map.Entries)
                {
                    var cfg = r.Mapping(e.Value);
                    var condition = r.String(cfg?["condition"]) switch
                    {
                        null or "service_started" => DependencyCondition.Started,
                        "service_healthy" => DependencyCondition.Healthy,
                        "service_completed_successfully" => DependencyCondition.CompletedSuccessfully,
                        var other => BadCondition(cfg!["condition"]!, other, ctx),
                    };
                    result.Add(new Dependency(e.Key.Value, condition, r.Bool(cfg?["restart"]) ?? false, r.Bool(cfg?["required"]) ?? true));
                }
                break;
            case null or YScalar { IsNull: true }:
                break;
            default:
                r.Error(node, $"expected a sequence or a mapping, got {node.TypeName}", "manifest.type");
                break;
        }
        return [.. result.OrderBy(d => d.Service, StringComparer.Ordinal)];
    }

    private static DependencyCondition BadCondition(YNode node, string value, LoadContext ctx)
    {
        ctx.Diagnostics.Error(node, $"expected one of 'service_started', 'service_healthy', 'service_completed_successfully', got \"{value}\"", "manifest.enum");
        return DependencyCondition.Started;
    }
}
