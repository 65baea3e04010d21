namespace GitOps.Reconciler.Model;

/// <summary>A service's membership of a network: extra DNS aliases and static addresses.</summary>
internal sealed record NetworkAttachment(string Network, ValueList<string> Aliases, string? Ipv4Address, string? Ipv6Address, string? MacAddress, int Priority);
