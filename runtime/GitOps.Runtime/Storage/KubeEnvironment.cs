using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;

namespace GitOps.Runtime.Storage;

/// <summary>
/// Resolves a <see cref="KubeEnv"/> as the kubelet builds a container's environment
/// (makeEnvironmentVariables): envFrom's variables, then each env entry in order — a value expanded against
/// what is defined so far, a secret's or config's value, a node field — later definitions replacing earlier
/// ones; then the manifest's command and args expanded against the result. The image's variables are the
/// base. Secret values exist only in the returned lists, which go to container-init and nowhere else.
/// </summary>
public static class KubeEnvironment
{
    public sealed record Resolved(IReadOnlyList<string> Env, IReadOnlyList<string> Command);

    /// <param name="field">The value of a node field (path, divisor).</param>
    public static Resolved Resolve(ContainerConfig config, ContainerStorage storage, Func<string, long, string> field)
    {
        var kube = config.KubeEnv ?? throw new InvalidOperationException("not a Kubernetes environment");
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        void Set(string name, string value)
        {
            if (!vars.ContainsKey(name)) order.Add(name);
            vars[name] = value;
        }
        foreach (var (name, value) in storage.EnvFromValues(config)) Set(name, value);
        foreach (var v in kube.Vars)
        {
            string? value = v.Source switch
            {
                KubeEnvSource.Value => KubeExpansion.Expand(v.Value ?? "", n => vars.GetValueOrDefault(n)),
                KubeEnvSource.Literal => v.Value ?? "",
                KubeEnvSource.Secret => v.Index >= 0 && v.Index < config.SecretEnv.Count ? storage.SecretEnvValue(config.SecretEnv[v.Index])
                    : throw new InvalidArgumentException($"environment variable {v.Name} refers to secret reference {v.Index}, which does not exist"),
                KubeEnvSource.Field => field(v.Value ?? "", v.Divisor),
                _ => throw new InvalidArgumentException($"environment variable {v.Name} has an unknown source {v.Source}"),
            };
            if (value is not null) Set(v.Name, value); // an optional reference that is missing leaves the variable as it was
        }
        var env = ConfigChanges.MergeEnv(config.Env, order.Select(n => new KeyValuePair<string, string>(n, vars[n])));

        var command = new List<string> { config.Path };
        command.AddRange(config.Args);
        string Map(string s) => KubeExpansion.Expand(s, n => vars.GetValueOrDefault(n));
        var entrypoint = config.Entrypoint?.Count ?? 0;
        var cmd = config.Cmd?.Count ?? 0;
        if (kube.ExpandEntrypoint)
            for (var i = 0; i < entrypoint && i < command.Count; i++) command[i] = Map(command[i]);
        if (kube.ExpandCmd)
            for (var i = Math.Max(command.Count - cmd, 0); i < command.Count; i++) command[i] = Map(command[i]);
        return new Resolved(env, command);
    }

    /// <summary>Checks at create what can be checked before any value exists: names, sources, references.</summary>
    public static IEnumerable<string> Problems(CreateRequest req)
    {
        if (req.KubeEnv is not { } kube) yield break;
        foreach (var v in kube.Vars)
        {
            if (v.Name.Length == 0 || v.Name.Contains('=') || v.Name.Contains('\0')) yield return $"invalid environment variable name \"{v.Name}\"";
            if (v.Source == KubeEnvSource.Secret && (v.Index < 0 || v.Index >= req.SecretEnv.Count))
                yield return $"environment variable {v.Name} refers to secret reference {v.Index}, which does not exist";
            if (v.Source == KubeEnvSource.Field && !KubeFields.All.Contains(v.Value ?? ""))
                yield return $"environment variable {v.Name}: unknown field \"{v.Value}\" (expected one of {string.Join(", ", KubeFields.All)})";
            if (v.Divisor <= 0) yield return $"environment variable {v.Name}: divisor must be positive";
        }
    }
}
