namespace GitOps.Reconciler.Model;

/// <summary>A port the container listens on (Compose <c>expose</c>, Kubernetes <c>containerPort</c>); named ports are what a route's targetPort may refer to.</summary>
internal sealed record ContainerPort(int Port, string Protocol, string? Name);
