namespace GitOps.Reconciler.Model;

/// <summary>
/// A network. <see cref="Key"/> is the name services refer to; <see cref="Name"/> is an explicit engine-side
/// name (Compose <c>name:</c> or <c>external.name</c>), otherwise the engine derives one from the application.
/// </summary>
internal sealed record Network(
    string Key,
    string? Name,
    string Driver,
    bool External,
    bool Internal,
    bool Attachable,
    bool EnableIpv6,
    ValueList<IpamPool> Ipam,
    ValueMap<string> Labels,
    ValueMap<string> DriverOptions);
