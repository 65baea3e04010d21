namespace GitOps.Reconciler.Model;

/// <summary>Every key of a Secret or ConfigMap as an environment variable, optionally prefixed.</summary>
internal sealed record EnvFrom(EnvFromKind Kind, string Name, string? Prefix, bool Optional);
