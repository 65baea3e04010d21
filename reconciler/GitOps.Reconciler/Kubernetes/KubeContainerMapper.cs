using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// One container of a pod template. Kubernetes' <c>command</c> replaces the image's ENTRYPOINT and <c>args</c>
/// its CMD. The API server's defaults and checks apply: an image is required; requests default to limits when
/// only limits are given, per resource; a hostPort of 0 is no host port, and on the host's network it defaults
/// to the container port (and must equal it); an init container with <c>restartPolicy: Always</c> is a native
/// sidecar, the only container that may set it; probes are for app containers and sidecars only.
/// </summary>
internal static class KubeContainerMapper
{
    private static readonly HashSet<string> Handled =
    [
        "name", "image", "imagePullPolicy", "command", "args", "env", "envFrom", "workingDir", "ports", "volumeMounts",
        "livenessProbe", "readinessProbe", "startupProbe", "resources", "securityContext", "stdin", "tty",
        "terminationMessagePath", "terminationMessagePolicy", "stdinOnce", "restartPolicy",
    ];

    public static Container Map(YMapping c, PodScope pod, bool init, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var e in c.Entries)
            if (!Handled.Contains(e.Key.Value)) ctx.Unsupported(e.Key, $"'{e.Key.Value}' is not supported by gitops", "k8s.unsupported-field", " and is ignored");

        var name = r.String(c["name"]) ?? "";
        var image = r.String(c["image"]) ?? "";
        if (image.Length == 0)
            ctx.Diagnostics.Error(c["image"]?.Mark ?? c.Mark, NodePath.Key(c.Path, "image"), $"container '{name}' needs an image (the Kubernetes API requires one)", "k8s.image");
        else if (image.Trim().Length != image.Length)
            ctx.Diagnostics.Error(c["image"]!, "the image must not have leading or trailing whitespace", "k8s.image");
        var sidecar = RestartPolicy(c, init, ctx);
        var ports = Ports(c, pod, ctx);
        var env = KubeEnvMapper.Env(c, name, pod.ContainerNames, ctx);
        var envFrom = KubeEnvMapper.EnvFrom(c, ctx);
        if (init && !sidecar)
            foreach (var probe in (ReadOnlySpan<string>)["livenessProbe", "readinessProbe", "startupProbe", "lifecycle"])
                if (c.Entry(probe) is { } entry)
                    ctx.Diagnostics.Error(entry.Key, $"{probe} may not be set on an init container (only on one with restartPolicy: Always, a sidecar)", "k8s.init-container");

        var resources = Resources(r.Mapping(c["resources"]), ctx);
        var sc = r.Mapping(c["securityContext"]);
        var caps = r.Mapping(sc?["capabilities"]);
        var user = User(sc, ctx) ?? pod.PodUser;
        foreach (var key in sc?.Keys ?? [])
            if (key is not ("privileged" or "readOnlyRootFilesystem" or "capabilities" or "runAsUser" or "runAsGroup" or "runAsNonRoot" or "allowPrivilegeEscalation"
                or "seccompProfile" or "appArmorProfile" or "procMount"))
                ctx.Unsupported(sc!.Entry(key)!.Key, $"securityContext.{key} is not supported by gitops", "k8s.unsupported-field", " and is ignored");

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
            [.. KubeMountMapper.Map(c, pod.Volumes, pod.ClaimTemplates, ctx).OrderBy(m => m.Target, StringComparer.Ordinal)],
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
            null,
            sidecar);
    }

    /// <summary>
    /// A container's restartPolicy (Kubernetes 1.29+): only "Always", and only on an init container, where it
    /// makes the container a sidecar that starts in the init sequence and keeps running beside the app.
    /// </summary>
    private static bool RestartPolicy(YMapping c, bool init, LoadContext ctx)
    {
        if (c["restartPolicy"] is not YScalar { IsNull: false } policy) return false;
        if (!init)
        {
            ctx.Diagnostics.Error(policy, "restartPolicy may only be set on init containers (restartPolicy: Always makes one a sidecar)", "k8s.restart-policy");
            return false;
        }
        if (policy.Value == "Always") return true;
        ctx.Diagnostics.Error(policy, $"an init container's restartPolicy must be 'Always', got \"{policy.Value}\"", "manifest.enum");
        return false;
    }

    /// <summary>
    /// Container ports; hostPort 0 means none. On the host's network the API server defaults hostPort to the
    /// container port and rejects any other value (the process binds the host's port itself).
    /// </summary>
    private static List<ContainerPort> Ports(YMapping c, PodScope pod, LoadContext ctx)
    {
        var r = ctx.Reader;
        var ports = new List<ContainerPort>();
        foreach (var item in r.Sequence(c["ports"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } p) continue;
            if (r.Int(p["containerPort"], 1, 65535) is not { } port) continue;
            var protocol = (r.String(p["protocol"]) ?? "TCP").ToLowerInvariant();
            ports.Add(new ContainerPort(port, protocol, r.String(p["name"])));
            var hostPort = r.Int(p["hostPort"], 0, 65535) is { } hp and not 0 ? hp : (int?)null;
            if (pod.HostNetwork)
            {
                if (hostPort is not null && hostPort != port)
                    ctx.Diagnostics.Error(p["hostPort"]!, $"hostPort must equal containerPort ({port}) when hostNetwork is true", "k8s.host-port");
                hostPort = port;
            }
            if (hostPort is { } published)
            {
                if (ctx.Sources.Scope is { } service) ctx.Sources.Add(SourceMap.PublishedPort(service, pod.HostPorts.Count), p["hostPort"] ?? p);
                pod.HostPorts.Add(new PortBinding(port, published, protocol, r.String(p["hostIP"]), PortMode.Host, r.String(p["name"]), null));
            }
        }
        return ports;
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

    private static Model.Resources Resources(YMapping? res, LoadContext ctx)
    {
        var limits = ctx.Reader.Mapping(res?["limits"]);
        var requests = ctx.Reader.Mapping(res?["requests"]);
        var cpuLimit = Cpu(limits?["cpu"], ctx);
        var memLimit = Memory(limits?["memory"], ctx);
        var storageLimit = Memory(limits?["ephemeral-storage"], ctx);
        return new Model.Resources(cpuLimit, memLimit, Cpu(requests?["cpu"], ctx) ?? cpuLimit, Memory(requests?["memory"], ctx) ?? memLimit, null, null,
            storageLimit, Memory(requests?["ephemeral-storage"], ctx) ?? storageLimit);
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

    /// <summary>Kubernetes' default (SetDefaults_Container): Always for ":latest" or an image with neither tag nor digest, otherwise IfNotPresent.</summary>
    private static Model.PullPolicy PullPolicy(YNode? node, string image, LoadContext ctx)
    {
        switch ((node as YScalar)?.Value)
        {
            case null:
                // ParseImageName: the tag is "latest" when written so, or when neither a tag nor a digest is given.
                var at = image.IndexOf('@', StringComparison.Ordinal);
                var name = at < 0 ? image : image[..at];
                var lastPart = name[(name.LastIndexOf('/') + 1)..];
                var colon = lastPart.LastIndexOf(':');
                var tag = colon < 0 ? null : lastPart[(colon + 1)..];
                var latest = tag == "latest" || (tag is null && at < 0);
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
