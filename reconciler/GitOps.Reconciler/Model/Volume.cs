namespace GitOps.Reconciler.Model;

/// <summary>A named volume (Compose) or a persistent volume claim (Kubernetes, <see cref="Claim"/> set).</summary>
internal sealed record Volume(string Key, string? Name, string Driver, bool External, ValueMap<string> DriverOptions, ValueMap<string> Labels, ClaimSpec? Claim);
