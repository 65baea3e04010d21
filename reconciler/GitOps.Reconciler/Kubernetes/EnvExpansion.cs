using GitOps.Reconciler.Model;
using GitOps.Runtime.Containers;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// A Kubernetes container's environment, command and args as the kubelet makes them (API reference: EnvVar.value,
/// Container.command/args; "Define Dependent Environment Variables"): envFrom first, then env in order, each
/// value's <c>$(NAME)</c> expanded against the variables defined before it, command and args against all of
/// them (<see cref="KubeExpansion"/>: <c>$$</c> escapes, an unknown reference stays as written).
/// Everything the pod's spec determines is resolved here: literal values, the pod's name, namespace, labels,
/// annotations and service account, declared resource limits and requests. What only the engine knows when
/// the container starts — secret and config values, the node's name and addresses, the pod's address and
/// UID, the node's allocatable resources — goes to it as a <see cref="KubeEnv"/>, with every variable in
/// order so the engine expands exactly as the kubelet would; no secret value ever passes through here.
/// </summary>
internal static class EnvExpansion
{
    /// <summary>The pod a container belongs to, as its fields resolve.</summary>
    public sealed record Pod(string Name, string Namespace, PodTemplate Template);

    /// <param name="Env">Variables whose value is known now ("NAME=value"): the whole environment when <see cref="KubeEnv"/> is null, what inspect shows otherwise.</param>
    /// <param name="KubeEnv">What the engine resolves at start; null when nothing needs it.</param>
    /// <param name="Entrypoint">The command, expanded unless the engine does it.</param>
    /// <param name="Cmd">The args, expanded unless the engine does it.</param>
    public sealed record Result(List<string> Env, KubeEnv? KubeEnv, List<string>? Entrypoint, List<string>? Cmd);

    private sealed record Var(string Name, string? Known, KubeEnvVar ForEngine);

    /// <summary>
    /// Compiles <paramref name="c"/>'s environment. Secret and config references are numbered in env order, as
    /// the caller lists them in the request's SecretEnv.
    /// </summary>
    public static Result Compile(Model.Container c, Pod pod)
    {
        var fromObjects = c.EnvFrom.Count > 0; // their keys are only known at start: any name may come from them
        var known = new Dictionary<string, string?>(StringComparer.Ordinal); // null: defined, value known only at start
        var vars = new List<Var>();
        var dynamic = fromObjects;
        var secretIndex = 0;
        foreach (var e in c.Env)
        {
            Var v;
            if (e.Value is { } text)
            {
                if (KubeExpansion.References(text).Any(n => known.TryGetValue(n, out var value) ? value is null : fromObjects))
                    v = new Var(e.Name, null, new KubeEnvVar { Name = e.Name, Source = KubeEnvSource.Value, Value = text });
                else
                {
                    var expanded = KubeExpansion.Expand(text, n => known.GetValueOrDefault(n));
                    v = new Var(e.Name, expanded, Literal(e.Name, expanded));
                }
            }
            else v = From(e.Name, e.From!, c, pod, ref secretIndex);
            dynamic |= v.Known is null;
            known[e.Name] = v.Known;
            vars.Add(v);
        }

        var (entrypoint, expandEntrypoint) = Command(c.Entrypoint, known, fromObjects);
        var (cmd, expandCmd) = Command(c.Command, known, fromObjects);
        // The final value of each name, in the order names first appear (later definitions replace earlier ones).
        var env = vars.Select(v => v.Name).Distinct(StringComparer.Ordinal)
            .Where(n => known[n] is not null).Select(n => n + "=" + known[n]).ToList();
        if (!dynamic && !expandEntrypoint && !expandCmd) return new Result(env, null, entrypoint, cmd);
        return new Result(env, new KubeEnv { Vars = [.. vars.Select(v => v.ForEngine)], ExpandEntrypoint = expandEntrypoint, ExpandCmd = expandCmd },
            entrypoint, cmd);
    }

    /// <summary>The variables of <paramref name="c"/> whose values are known before start: what the container must show.</summary>
    public static IEnumerable<string> KnownEnv(Model.Container c, Pod pod) => Compile(c, pod).Env;

    private static KubeEnvVar Literal(string name, string value) => new() { Name = name, Source = KubeEnvSource.Literal, Value = value };

    private static KubeEnvVar Field(string name, string path, long divisor = 1) => new() { Name = name, Source = KubeEnvSource.Field, Value = path, Divisor = divisor };

    private static Var From(string name, EnvValueSource from, Model.Container c, Pod pod, ref int secretIndex)
    {
        switch (from.Kind)
        {
            case EnvSourceKind.SecretKey or EnvSourceKind.ConfigKey:
                return new Var(name, null, new KubeEnvVar { Name = name, Source = KubeEnvSource.Secret, Index = secretIndex++ });
            case EnvSourceKind.Field:
                if (PodField(from.Name, pod) is { } value) return new Var(name, value, Literal(name, value));
                return new Var(name, null, Field(name, from.Name));
            default:
                var target = pod.Template.Containers.Concat(pod.Template.InitContainers).FirstOrDefault(x => x.Name == (from.Key ?? c.Name)) ?? c;
                var resource = from.Name;
                long? amount = resource switch
                {
                    "limits.cpu" => target.Resources.CpuLimit,
                    "limits.memory" => target.Resources.MemoryLimit,
                    "limits.ephemeral-storage" => target.Resources.StorageLimit,
                    "requests.cpu" => target.Resources.CpuReservation,
                    "requests.memory" => target.Resources.MemoryReservation,
                    "requests.ephemeral-storage" => target.Resources.StorageReservation,
                    _ => null,
                };
                if (amount is { } declared)
                {
                    var v = DownwardApi.ResourceValue(resource, declared, from.Divisor);
                    return new Var(name, v, Literal(name, v));
                }
                // No limit: the kubelet reports the node's allocatable amount; no request is zero.
                if (!resource.StartsWith("limits.", StringComparison.Ordinal)) return new Var(name, "0", Literal(name, "0"));
                return new Var(name, null, Field(name, "node.allocatable." + resource["limits.".Length..], DownwardApi.EngineDivisor(resource, from.Divisor)));
        }
    }

    /// <summary>The pod's own fields (those its spec determines); null for those only the node knows.</summary>
    private static string? PodField(string path, Pod pod)
    {
        switch (path)
        {
            case "metadata.name": return pod.Name;
            case "metadata.namespace": return pod.Namespace;
            case "spec.serviceAccountName": return pod.Template.ServiceAccount ?? PodTemplateMapper.DefaultServiceAccount;
        }
        return DownwardApi.Subscript(path) switch
        {
            ("metadata.labels", var key) => pod.Template.Labels.GetValueOrDefault(key) ?? "",
            ("metadata.annotations", var key) => pod.Template.Annotations.GetValueOrDefault(key) ?? "",
            _ => null,
        };
    }

    /// <summary>A command or args list, expanded now when every reference in it is known; otherwise as written, for the engine.</summary>
    private static (List<string>? List, bool Engine) Command(ValueList<string>? list, Dictionary<string, string?> known, bool fromObjects)
    {
        if (list is not { } items) return (null, false);
        var engine = items.Any(item => KubeExpansion.References(item).Any(n => known.TryGetValue(n, out var value) ? value is null : fromObjects));
        return engine ? ([.. items], true) : ([.. items.Select(item => KubeExpansion.Expand(item, n => known.GetValueOrDefault(n)))], false);
    }
}
