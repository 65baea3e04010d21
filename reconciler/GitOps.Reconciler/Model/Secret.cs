namespace GitOps.Reconciler.Model;

/// <summary>
/// A secret. A Compose/Swarm secret holds one value (<see cref="Content"/>, from a file or an environment
/// variable); a Kubernetes Secret holds keys (<see cref="Data"/>). <see cref="File"/>/<see cref="Environment"/>
/// say where a Compose value came from; <see cref="Content"/> is null when that source could not be read
/// (the load warned about it). External secrets are created outside the application.
/// </summary>
internal sealed record Secret(
    string Key,
    string? Name,
    bool External,
    SecretValue? Content,
    ValueMap<SecretValue> Data,
    string? File,
    string? Environment,
    string? Type,
    ValueMap<string> Labels);
