using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// A container's <c>env</c> and <c>envFrom</c>, in written order (later entries may refer to earlier ones with
/// <c>$(NAME)</c>, which the compiler or the engine expands). Validated as the API server does (EnvVar,
/// EnvVarSource): a value and a valueFrom exclude each other, a valueFrom names exactly one source, a
/// fieldRef path is one the downward API serves for env, a resourceFieldRef names a known resource with a
/// divisor that suits it and, when it names a container, one of the pod's.
/// </summary>
internal static class KubeEnvMapper
{
    public static List<EnvVar> Env(YMapping container, string containerName, IReadOnlySet<string> podContainers, LoadContext ctx)
    {
        var r = ctx.Reader;
        var env = new List<EnvVar>();
        foreach (var item in r.Sequence(container["env"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } e || r.String(e["name"]) is not { } name) continue;
            var value = r.String(e["value"]) ?? "";
            if (r.Mapping(e["valueFrom"]) is { } from)
            {
                if (value.Length > 0)
                    ctx.Diagnostics.Error(e["valueFrom"]!, $"env '{name}': valueFrom may not be given when value is not empty", "k8s.env");
                if (ValueFrom(from, containerName, podContainers, ctx) is { } source) env.Add(new EnvVar(name, null, source));
            }
            else env.Add(new EnvVar(name, value, null));
        }
        return env;
    }

    public static List<EnvFrom> EnvFrom(YMapping container, LoadContext ctx)
    {
        var r = ctx.Reader;
        var envFrom = new List<EnvFrom>();
        foreach (var item in r.Sequence(container["envFrom"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } ef) continue;
            var prefix = r.String(ef["prefix"]);
            var secret = r.Mapping(ef["secretRef"]);
            var config = r.Mapping(ef["configMapRef"]);
            if ((secret is null) == (config is null))
            {
                ctx.Diagnostics.Error(ef, "envFrom needs exactly one of secretRef, configMapRef", "k8s.env");
                continue;
            }
            var source = secret ?? config!;
            envFrom.Add(new EnvFrom(secret is not null ? EnvFromKind.Secret : EnvFromKind.Config, r.String(source["name"]) ?? "", prefix, r.Bool(source["optional"]) ?? false));
        }
        return envFrom;
    }

    private static EnvValueSource? ValueFrom(YMapping from, string containerName, IReadOnlySet<string> podContainers, LoadContext ctx)
    {
        var r = ctx.Reader;
        var sources = from.Entries.Where(e => e.Value is YMapping).ToList();
        if (sources.Count != 1)
        {
            ctx.Diagnostics.Error(from, "valueFrom needs exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef", "k8s.env");
            return null;
        }
        var (kind, source) = (sources[0].Key.Value, (YMapping)sources[0].Value);
        switch (kind)
        {
            case "secretKeyRef":
                return new EnvValueSource(EnvSourceKind.SecretKey, r.String(source["name"]) ?? "", r.String(source["key"]), r.Bool(source["optional"]) ?? false);
            case "configMapKeyRef":
                return new EnvValueSource(EnvSourceKind.ConfigKey, r.String(source["name"]) ?? "", r.String(source["key"]), r.Bool(source["optional"]) ?? false);
            case "fieldRef":
            {
                if (r.String(source["apiVersion"]) is { } version && version != "v1")
                    ctx.Diagnostics.Error(source["apiVersion"]!, $"fieldRef apiVersion must be v1 (the pod's), got \"{version}\"", "k8s.field-ref");
                var path = r.String(source["fieldPath"]);
                if (path is null)
                {
                    ctx.Diagnostics.Error(source, "fieldRef needs a fieldPath", "k8s.field-ref");
                    return null;
                }
                if (DownwardApi.CheckFieldPath(path) is { } problem)
                {
                    ctx.Diagnostics.Error(source["fieldPath"]!, problem, "k8s.field-ref");
                    return null;
                }
                return new EnvValueSource(EnvSourceKind.Field, path, null, false);
            }
            case "resourceFieldRef":
            {
                var resource = r.String(source["resource"]);
                if (resource is null || !DownwardApi.Resources.Contains(resource))
                {
                    ctx.Diagnostics.Error(source["resource"] ?? source, resource is null ? "resourceFieldRef needs a resource"
                        : $"resource '{resource}' is not supported: expected one of {string.Join(", ", DownwardApi.Resources)}", "k8s.resource-field-ref");
                    return null;
                }
                var target = r.String(source["containerName"]) ?? containerName;
                if (!podContainers.Contains(target))
                {
                    ctx.Diagnostics.Error(source["containerName"]!, $"containerName '{target}' is not a container of this pod", "k8s.resource-field-ref");
                    return null;
                }
                var divisorNode = source["divisor"] as YScalar;
                var divisor = divisorNode is null or { IsNull: true } ? "1" : divisorNode.Value;
                if (DownwardApi.CheckDivisor(resource, divisor) is { } problem)
                {
                    ctx.Diagnostics.Error(divisorNode!, problem, "k8s.resource-field-ref");
                    return null;
                }
                // The default divisor written out or left out is the same spec.
                var canonical = Values.Quantity.TryParse(divisor, out var one) && one == 1m ? null : divisor;
                return new EnvValueSource(EnvSourceKind.ResourceField, resource, target, false, canonical);
            }
            default:
                ctx.Diagnostics.Error(sources[0].Key, $"valueFrom '{kind}' is not one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef", "k8s.env");
                return null;
        }
    }
}
