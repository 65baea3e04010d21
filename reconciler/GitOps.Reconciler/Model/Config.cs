namespace GitOps.Reconciler.Model;

/// <summary>
/// A config (Swarm config, Kubernetes ConfigMap): not secret, so its text is kept as is. File-based
/// configs keep the path and a digest of the content, so a changed file changes the desired state.
/// </summary>
internal sealed record Config(
    string Key,
    string? Name,
    bool External,
    string? Content,
    ValueMap<string> Data,
    ValueMap<string> BinaryData,
    string? File,
    string? FileDigest,
    string? Environment,
    ValueMap<string> Labels);
