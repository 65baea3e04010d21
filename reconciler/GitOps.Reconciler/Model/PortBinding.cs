namespace GitOps.Reconciler.Model;

/// <summary>
/// A published port: <see cref="Target"/> in the container, <see cref="Published"/> on the node (null: an
/// ephemeral port is chosen). Port ranges are expanded to one binding per port.
/// </summary>
internal sealed record PortBinding(int Target, int? Published, string Protocol, string? HostIp, PortMode Mode, string? Name, string? AppProtocol);
