namespace GitOps.Reconciler.Compose;

/// <summary>One parsed port mapping before it becomes a <see cref="Model.PortBinding"/>.</summary>
internal sealed record PortSpec(string? HostIp, int? Published, int Target, string Protocol);
