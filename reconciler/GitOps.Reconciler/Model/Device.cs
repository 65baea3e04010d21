namespace GitOps.Reconciler.Model;

/// <summary>A host device node made available in a container (Compose <c>devices:</c>): Docker's HOST[:CONTAINER[:PERMISSIONS]].</summary>
internal sealed record Device(string HostPath, string ContainerPath, string Permissions);
