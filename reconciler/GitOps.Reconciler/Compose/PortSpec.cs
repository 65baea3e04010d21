namespace GitOps.Reconciler.Compose;

/// <summary>
/// One parsed port mapping before it becomes a <see cref="Model.PortBinding"/>. <see cref="PublishedEnd"/> is the
/// last port of a published range given for one container port ("8000-8002:80"): any port of it will do.
/// </summary>
internal sealed record PortSpec(string? HostIp, int? Published, int Target, string Protocol, int? PublishedEnd = null);
