using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// The parts of a pod's and a container's securityContext that loosen confinement, as Docker security options:
/// <c>seccompProfile</c> (container over pod; Unconfined → seccomp=unconfined, RuntimeDefault is the engine's
/// default), <c>appArmorProfile</c> (Unconfined → apparmor=unconfined) and <c>procMount: Unmasked</c>
/// (systempaths=unconfined). It also records where each privilege was written (image, privileged, added
/// capabilities, hostPath sources, limits), so a policy refusal points at its line.
/// </summary>
internal static class KubeSecurityMapper
{
    public static Container Apply(Container container, YMapping c, YMapping? podSecurity, IReadOnlyDictionary<string, PodVolume> volumes, LoadContext ctx)
    {
        var r = ctx.Reader;
        var name = container.Name;
        var sc = r.Mapping(c["securityContext"]);
        ctx.Sources.Field(name, "image", c["image"]);
        ctx.Sources.Field(name, "privileged", sc?["privileged"]);
        foreach (var item in r.Sequence(r.Mapping(sc?["capabilities"])?["add"])?.Items ?? [])
            if (r.String(item) is { } cap) ctx.Sources.Field(name, "capAdd/" + cap.ToUpperInvariant(), item);
        var limits = r.Mapping(r.Mapping(c["resources"])?["limits"]);
        ctx.Sources.Field(name, "resources.cpu", limits?["cpu"] ?? c["resources"]);
        ctx.Sources.Field(name, "resources.memory", limits?["memory"] ?? c["resources"]);
        foreach (var item in r.Sequence(c["volumeMounts"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } vm || r.String(vm["name"]) is not { } volume || r.String(vm["mountPath"]) is not { } target) continue;
            var source = volumes.TryGetValue(volume, out var v) && v.Kind == "hostPath" ? v.Source["path"] ?? v.Source : vm;
            ctx.Sources.Field(name, "mounts/" + target, source);
        }

        var opts = container.Security.SecurityOpt.ToList();
        Profile(sc?["seccompProfile"] ?? podSecurity?["seccompProfile"], "seccomp", opts, name, ctx);
        Profile(sc?["appArmorProfile"] ?? podSecurity?["appArmorProfile"], "apparmor", opts, name, ctx);
        if (sc?["procMount"] is YScalar { IsNull: false } procMount)
        {
            if (procMount.Value == "Unmasked")
            {
                opts.Add("systempaths=unconfined");
                ctx.Sources.Field(name, "securityOpt/systempaths", procMount);
            }
            else if (procMount.Value != "Default")
                ctx.Diagnostics.Error(procMount, "expected one of 'Default', 'Unmasked'", "manifest.enum");
        }
        if (opts.Count == container.Security.SecurityOpt.Count) return container;
        return container with { Security = container.Security with { SecurityOpt = [.. opts.Distinct().Order(StringComparer.Ordinal)] } };
    }

    static void Profile(YNode? node, string kind, List<string> opts, string container, LoadContext ctx)
    {
        if (ctx.Reader.Mapping(node) is not { } profile) return;
        var type = profile["type"] as YScalar;
        switch (type?.Value)
        {
            case "RuntimeDefault" or null:
                return;
            case "Unconfined":
                opts.Add(kind + "=unconfined");
                ctx.Sources.Field(container, "securityOpt/" + kind, type);
                return;
            case "Localhost":
                // The profile would be a file in the node's kubelet directory: a host path gitops does not read.
                ctx.Unsupported(type, $"{kind} profile type Localhost is not supported by gitops; the engine's default profile applies", "k8s.unsupported-field");
                return;
            default:
                ctx.Diagnostics.Error(type, "expected one of 'RuntimeDefault', 'Unconfined', 'Localhost'", "manifest.enum");
                return;
        }
    }
}
