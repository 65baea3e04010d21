namespace GitOps.Reconciler.Model;

/// <summary>An address pool of a network.</summary>
internal sealed record IpamPool(string? Subnet, string? Gateway, string? IpRange);
