using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// One container of a pod template. Kubernetes' <c>command</c> replaces the image's ENTRYPOINT and <c>args</c>
/// its CMD. Requests default to limits when only limits are given (as the API server does), so both
/// spellings give the same spec.
/// </summary>
internal static class KubeContainerMapper
{
    private static readonly HashSet<string> Handled =
    [
        "name", "image", "imagePullPolicy", "command", "args", "env", "envFrom", "workingDir", "ports", "volumeMounts",
        "livenessProbe", "readinessProbe", "startupProbe", "resources", "securityContext", "stdin", "tty",
        "terminationMessagePath", "terminationMessagePolicy", "stdinOnce",
    ];

    public static Container Map(YMapping c, IReadOnlyDictionary<string, PodVolume> volumes, IReadOnlySet<string> claimTemplates, string? podUser, List<PortBinding> hostPorts, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var e in c.Entries)
            if (!Handled.Contains(e.Key.Value)) ctx.Unsupported(e.Key, $"'{e.Key.Value}' is not supported by gitops and is ignored", "k8s.unsupported-field");

        var name = r.String(c["name"]) ?? "";
        var image = r.String(c["image"]) ?? "";
        var ports = new List<ContainerPort>();
        foreach (var item in r.Sequence(c["ports"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } p) continue;
            if (r.Int(p["containerPort"], 1, 65535) is not { } port) continue;
            var protocol = (r.String(p["protocol"]) ?? "TCP").ToLowerInvariant();
            ports.Add(new ContainerPort(port, protocol, r.String(p["name"])));
            if (r.Int(p["hostPort"], 1, 65535) is { } hostPort)
            {
                if (ctx.Sources.Scope is { } service) ctx.Sources.Add(SourceMap.PublishedPort(service, hostPorts.Count), p["hostPort"]!);
                hostPorts.Add(new PortBinding(port, hostPort, protocol, r.String(p["hostIP"]), PortMode.Host, r.String(p["name"]), null));
            }
        }

        var env = new List<EnvVar>();
        foreach (var item in r.Sequence(c["env"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } e || r.String(e["name"]) is not { } envName) continue;
            if (r.Mapping(e["valueFrom"]) is { } from)
                env.Add(new EnvVar(envName, null, ValueFrom(from, ctx)));
            else
                env.Add(new EnvVar(envName, r.String(e["value"]) ?? "", null));
        }
        var envFrom = new List<EnvFrom>();
        foreach (var item in r.Sequence(c["envFrom"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } ef) continue;
            var prefix = r.String(ef["prefix"]);
            if (r.Mapping(ef["secretRef"]) is { } sr) envFrom.Add(new EnvFrom(EnvFromKind.Secret, r.String(sr["name"]) ?? "", prefix, r.Bool(sr["optional"]) ?? false));
            else if (r.Mapping(ef["configMapRef"]) is { } cr) envFrom.Add(new EnvFrom(EnvFromKind.Config, r.String(cr["name"]) ?? "", prefix, r.Bool(cr["optional"]) ?? false));
        }

        var resources = Resources(r.Mapping(c["resources"]), ctx);
        var sc = r.Mapping(c["securityContext"]);
        var caps = r.Mapping(sc?["capabilities"]);
        var user = User(sc, ctx) ?? podUser;
        foreach (var key in sc?.Keys ?? [])
            if (key is not ("privileged" or "readOnlyRootFilesystem" or "capabilities" or "runAsUser" or "runAsGroup" or "runAsNonRoot" or "allowPrivilegeEscalation"
                or "seccompProfile" or "appArmorProfile" or "procMount"))
                ctx.Unsupported(sc!.Entry(key)!.Key, $"securityContext.{key} is not supported by gitops and is ignored", "k8s.unsupported-field");

        return new Container(
            name,
            image,
            null,
            PullPolicy(c["imagePullPolicy"], image, ctx),
            r.StringList(c["command"]) is { } command ? new ValueList<string>(command) : (ValueList<string>?)null,
            r.StringList(c["args"]) is { } args ? new ValueList<string>(args) : (ValueList<string>?)null,
            [.. env],
            [.. envFrom],
            user,
            r.String(c["workingDir"]),
            [.. ports.OrderBy(p => p.Port).ThenBy(p => p.Protocol, StringComparer.Ordinal)],
            [.. KubeMountMapper.Map(c, volumes, claimTemplates, ctx).OrderBy(m => m.Target, StringComparer.Ordinal)],
            ProbeMapper.Map(c["readinessProbe"], ports, ctx),
            ProbeMapper.Map(c["livenessProbe"], ports, ctx),
            ProbeMapper.Map(c["startupProbe"], ports, ctx),
            resources,
            new SecurityOptions(
                r.Bool(sc?["privileged"]) ?? false,
                r.Bool(sc?["readOnlyRootFilesystem"]) ?? false,
                [.. (r.StringList(caps?["add"]) ?? []).Select(x => x.ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal)],
                [.. (r.StringList(caps?["drop"]) ?? []).Select(x => x.ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal)],
                r.Bool(sc?["allowPrivilegeEscalation"]) == false ? ["no-new-privileges:true"] : default),
            false,
            r.Bool(c["tty"]) ?? false,
            r.Bool(c["stdin"]) ?? false,
            "SIGTERM",
            default,
            default,
            null,
            null);
    }

    /// <summary><c>runAsUser</c>/<c>runAsGroup</c> as Docker's "uid[:gid]".</summary>
    public static string? User(YMapping? securityContext, LoadContext ctx)
    {
        var r = ctx.Reader;
        var uid = r.Long(securityContext?["runAsUser"], 0);
        var gid = r.Long(securityContext?["runAsGroup"], 0);
        if (uid is null && gid is null) return null;
        return gid is null ? YScalar.Invariant(uid!.Value) : YScalar.Invariant(uid ?? 0) + ":" + YScalar.Invariant(gid.Value);
    }

    private static EnvValueSource? ValueFrom(YMapping from, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (r.Mapping(from["secretKeyRef"]) is { } s)
            return new EnvValueSource(EnvSourceKind.SecretKey, r.String(s["name"]) ?? "", r.String(s["key"]), r.Bool(s["optional"]) ?? false);
        if (r.Mapping(from["configMapKeyRef"]) is { } c)
            return new EnvValueSource(EnvSourceKind.ConfigKey, r.String(c["name"]) ?? "", r.String(c["key"]), r.Bool(c["optional"]) ?? false);
        if (r.Mapping(from["fieldRef"]) is { } f)
            return new EnvValueSource(EnvSourceKind.Field, r.String(f["fieldPath"]) ?? "", null, false);
        if (r.Mapping(from["resourceFieldRef"]) is { } rf)
            return new EnvValueSource(EnvSourceKind.ResourceField, r.String(rf["resource"]) ?? "", r.String(rf["containerName"]), false);
        ctx.Diagnostics.Error(from, "valueFrom needs one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef", "k8s.env");
        return null;
    }

    private static Model.Resources Resources(YMapping? res, LoadContext ctx)
    {
        var limits = ctx.Reader.Mapping(res?["limits"]);
        var requests = ctx.Reader.Mapping(res?["requests"]);
        var cpuLimit = Cpu(limits?["cpu"], ctx);
        var memLimit = Memory(limits?["memory"], ctx);
        return new Model.Resources(cpuLimit, memLimit, Cpu(requests?["cpu"], ctx) ?? cpuLimit, Memory(requests?["memory"], ctx) ?? memLimit, null, null);
    }

    private static long? Cpu(YNode? node, LoadContext ctx)
    {
        if (node is not YScalar { IsNull: false } s) return null;
        if (Quantity.TryParseNanoCpus(s.Value, out var nano)) return nano;
        ctx.Diagnostics.Error(s, $"expected a CPU quantity such as 500m or 2, got {NodeReader.Describe(s)}", "k8s.quantity");
        return null;
    }

    private static long? Memory(YNode? node, LoadContext ctx)
    {
        if (node is not YScalar { IsNull: false } s) return null;
        if (Quantity.TryParseBytes(s.Value, out var bytes)) return bytes;
        ctx.Diagnostics.Error(s, $"expected a memory quantity such as 128Mi or 1G, got {NodeReader.Describe(s)}", "k8s.quantity");
        return null;
    }

    /// <summary>Kubernetes' default: Always for ":latest" or an untagged image, otherwise IfNotPresent.</summary>
    private static Model.PullPolicy PullPolicy(YNode? node, string image, LoadContext ctx)
    {
        switch ((node as YScalar)?.Value)
        {
            case null:
                var lastSlash = image.LastIndexOf('/');
                var tagPart = image[(lastSlash + 1)..];
                var latest = !image.Contains('@', StringComparison.Ordinal) && (!tagPart.Contains(':', StringComparison.Ordinal) || tagPart.EndsWith(":latest", StringComparison.Ordinal));
                return latest ? Model.PullPolicy.Always : Model.PullPolicy.Missing;
            case "Always": return Model.PullPolicy.Always;
            case "IfNotPresent": return Model.PullPolicy.Missing;
            case "Never": return Model.PullPolicy.Never;
            default:
                ctx.Diagnostics.Error(node!, "expected one of 'Always', 'IfNotPresent', 'Never'", "manifest.enum");
                return Model.PullPolicy.Missing;
        }
    }
}
