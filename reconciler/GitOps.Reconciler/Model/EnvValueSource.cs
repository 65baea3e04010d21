namespace GitOps.Reconciler.Model;

/// <summary>
/// A reference resolved when a replica starts: a key of a Secret or ConfigMap (<see cref="Name"/> and
/// <see cref="Key"/>), a field of the replica itself (<see cref="Name"/> is the field path, as written), or a
/// container's resource (<see cref="Name"/> is limits.cpu and the like, <see cref="Key"/> the container,
/// <see cref="Divisor"/> the quantity the value is expressed in: "1", "1m", "1Mi").
/// </summary>
internal sealed record EnvValueSource(EnvSourceKind Kind, string Name, string? Key, bool Optional, string? Divisor = null);
