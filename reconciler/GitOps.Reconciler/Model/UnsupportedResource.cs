namespace GitOps.Reconciler.Model;

/// <summary>An object of a kind gitops cannot run (DaemonSet, CRDs...): kept in the model so it shows in render and status.</summary>
internal sealed record UnsupportedResource(string ApiVersion, string Kind, string Name, string? Namespace);
