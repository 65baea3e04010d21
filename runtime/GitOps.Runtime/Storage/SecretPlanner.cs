using GitOps.Runtime.Containers;
using GitOps.Runtime.Secrets;

namespace GitOps.Runtime.Storage;

/// <summary>
/// Resolves a create request's secret and config references: each object must exist (unless an
/// environment reference is optional), keys must exist, targets must be unique and stay inside
/// the container's tree, owners numeric, modes permission bits. Collects every error.
/// </summary>
internal sealed class SecretPlanner(SecretStore store)
{
    public const string SecretsDir = "/run/secrets";
    public const uint DefaultMode = 0x124; // 0444, Swarm's default

    readonly List<string> _errors = [];
    readonly Dictionary<string, string> _destinations = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Errors => _errors;

    /// <summary>IDs of the objects the plan refers to (to be marked in use).</summary>
    public HashSet<string> Used { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<SecretReference> Files(SecretKind kind, IReadOnlyList<SecretReference> refs)
    {
        var noun = kind.Noun();
        var result = new List<SecretReference>();
        foreach (var r in refs)
        {
            var record = store.Find(kind, r.Source);
            if (record is null)
            {
                _errors.Add($"{noun} not found: {r.Source}");
                continue;
            }
            CheckKey(record, r.Key, optional: false);
            if (!uint.TryParse(r.UID, out _)) _errors.Add($"{noun} {record.Name}: invalid uid \"{r.UID}\": must be a number");
            if (!uint.TryParse(r.GID, out _)) _errors.Add($"{noun} {record.Name}: invalid gid \"{r.GID}\": must be a number");
            if (r.Mode is > 0x1FF) _errors.Add($"{noun} {record.Name}: invalid mode {Convert.ToString(r.Mode.Value, 8)}: must be at most 0777");
            var target = r.Target is { Length: > 0 } t ? t : r.Key ?? record.Name;
            string? dest = null;
            if (target.StartsWith('/'))
            {
                if (target.Split('/').Contains("..")) _errors.Add($"invalid {noun} target \"{target}\": must not contain \"..\"");
                else dest = ContainerPath.Clean(target);
            }
            else if (!ContainerPath.IsContainedRelative(target)) _errors.Add($"invalid {noun} target \"{target}\": must be a file name or a path without \"..\"");
            else dest = ContainerPath.Clean((kind == SecretKind.Secret ? SecretsDir : "") + "/" + target);
            if (dest is null) continue;
            if (dest is "/" or SecretsDir)
            {
                _errors.Add($"invalid {noun} target \"{target}\"");
                continue;
            }
            if (!_destinations.TryAdd(dest, noun))
            {
                _errors.Add($"duplicate {noun} target for {dest} not allowed");
                continue;
            }
            Used.Add(record.Id);
            result.Add(r with { Id = record.Id, Destination = dest, Mode = r.Mode ?? DefaultMode });
        }
        return result;
    }

    public IReadOnlyList<SecretEnv> Env(IReadOnlyList<SecretEnv> refs)
    {
        var result = new List<SecretEnv>();
        foreach (var e in refs)
        {
            if (e.Name.Length == 0 || e.Name.Contains('=') || e.Name.Contains('\0'))
            {
                _errors.Add($"invalid environment variable name \"{e.Name}\"");
                continue;
            }
            var record = store.Find(e.Kind, e.Source);
            if (record is null)
            {
                if (!e.Optional) _errors.Add($"{e.Kind.Noun()} not found: {e.Source} (for environment variable {e.Name})");
                result.Add(e with { Id = null });
                continue;
            }
            CheckKey(record, e.Key, e.Optional);
            if (record.Keys is not null && e.Key is null)
                _errors.Add($"{e.Kind.Noun()} {record.Name} has keys ({string.Join(", ", record.Keys)}): name the one for {e.Name}");
            Used.Add(record.Id);
            result.Add(e with { Id = record.Id });
        }
        return result;
    }

    public IReadOnlyList<SecretEnvFrom> EnvFrom(IReadOnlyList<SecretEnvFrom> refs)
    {
        var result = new List<SecretEnvFrom>();
        foreach (var e in refs)
        {
            var record = store.Find(e.Kind, e.Source);
            if (record is null)
            {
                if (!e.Optional) _errors.Add($"{e.Kind.Noun()} not found: {e.Source}");
                result.Add(e with { Id = null });
                continue;
            }
            if (record.Keys is null)
            {
                _errors.Add($"{e.Kind.Noun()} {record.Name} holds one value, not keys: name the variable with an env reference instead");
                continue;
            }
            Used.Add(record.Id);
            result.Add(e with { Id = record.Id });
        }
        return result;
    }

    void CheckKey(SecretRecord record, string? key, bool optional)
    {
        var noun = record.Kind.Noun();
        if (record.Keys is null)
        {
            if (key is not null) _errors.Add($"{noun} {record.Name} holds one value: it has no key \"{key}\"");
            return;
        }
        if (key is null) return; // as a file mount: a directory with every key
        if (!record.Keys.Contains(key) && !optional) _errors.Add($"couldn't find key {key} in {(record.Kind == SecretKind.Secret ? "Secret" : "ConfigMap")} {record.Name}");
    }
}
