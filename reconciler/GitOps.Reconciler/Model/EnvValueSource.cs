namespace GitOps.Reconciler.Model;

/// <summary>
/// A reference resolved when a replica starts: a key of a Secret or ConfigMap (<see cref="Name"/> and
/// <see cref="Key"/>), or a field of the replica itself (<see cref="Name"/> is the field path).
/// </summary>
internal sealed record EnvValueSource(EnvSourceKind Kind, string Name, string? Key, bool Optional);
