namespace GitOps.Reconciler.Compose;

/// <summary>
/// A parsed short volume entry: <see cref="Source"/> null for an anonymous volume; <see cref="Bind"/> when the
/// source is a path (starts with <c>/</c>, <c>.</c> or <c>~</c>), otherwise a named volume.
/// </summary>
internal sealed record VolumeSpec(string? Source, string Target, bool Bind, bool ReadOnly, bool NoCopy, string? Propagation);
