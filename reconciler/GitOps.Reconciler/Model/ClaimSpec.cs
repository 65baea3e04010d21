namespace GitOps.Reconciler.Model;

/// <summary>What a persistent volume claim asks for: size in bytes, access modes (sorted), class and mode.</summary>
internal sealed record ClaimSpec(long? StorageBytes, ValueList<string> AccessModes, string? StorageClass, string? VolumeMode);
