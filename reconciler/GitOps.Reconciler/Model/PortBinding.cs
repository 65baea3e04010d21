namespace GitOps.Reconciler.Model;

/// <summary>
/// A published port: <see cref="Target"/> in the container, <see cref="Published"/> on the node (null: an
/// ephemeral port is chosen). Port ranges are expanded to one binding per port; a published range given for
/// one container port (Compose's "8000-8002:80") keeps its last port in <see cref="PublishedEnd"/>: each replica
/// takes a port of its own from the range (see <see cref="Publishing"/>).
/// </summary>
internal sealed record PortBinding(int Target, int? Published, string Protocol, string? HostIp, PortMode Mode, string? Name, string? AppProtocol)
{
    public int? PublishedEnd { get; init; }

    /// <summary>As written: "8000", "8000-8002", or null for an ephemeral port.</summary>
    public string? PublishedText => Published is not { } p ? null : PublishedEnd is { } end && end != p ? $"{p}-{end}" : p.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
