namespace GitOps.Runtime.Secrets;

/// <summary>
/// A container's use of a secret or config as a file: `--secret NAME[,target=...,uid=...,gid=...,mode=...]`
/// as docker service create takes it, plus <see cref="Key"/> for multi-key objects. A secret's
/// relative target lands under /run/secrets, a config's under /. Without a key, a multi-key object
/// becomes a directory with one file per key (a Kubernetes secret or configMap volume).
/// </summary>
public sealed record SecretReference
{
    /// <summary>Name or ID of the secret or config.</summary>
    public required string Source { get; set; }
    public string? Key { get; set; }
    /// <summary>File (or directory) name; defaults to the key or the name.</summary>
    public string? Target { get; set; }
    public string UID { get; set; } = "0";
    public string GID { get; set; } = "0";
    /// <summary>Permission bits of the file(s); Swarm's 0444 when not given.</summary>
    public uint? Mode { get; set; }
    /// <summary>Resolved at create: the object's ID (renaming is impossible, so this is stable).</summary>
    public string? Id { get; set; }
    /// <summary>Resolved at create: the absolute path in the container.</summary>
    public string? Destination { get; set; }
}

/// <summary>
/// An environment variable whose value comes from a secret or config when the container starts
/// (Kubernetes env valueFrom secretKeyRef/configMapKeyRef). Only the reference is stored.
/// </summary>
public sealed record SecretEnv
{
    public required string Name { get; set; }
    public SecretKind Kind { get; set; } = SecretKind.Secret;
    public required string Source { get; set; }
    /// <summary>The key of a multi-key object; null for a single value.</summary>
    public string? Key { get; set; }
    /// <summary>A missing object or key leaves the variable unset instead of failing the start.</summary>
    public bool Optional { get; set; }
    public string? Id { get; set; }
}

/// <summary>Every key of a multi-key secret or config as a variable, with an optional prefix (Kubernetes envFrom).</summary>
public sealed record SecretEnvFrom
{
    public SecretKind Kind { get; set; } = SecretKind.Secret;
    public required string Source { get; set; }
    public string? Prefix { get; set; }
    public bool Optional { get; set; }
    public string? Id { get; set; }
}
