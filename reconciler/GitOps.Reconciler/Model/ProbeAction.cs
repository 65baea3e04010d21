namespace GitOps.Reconciler.Model;

/// <summary>What a probe runs. A port written by name is resolved against the container's ports when possible (<see cref="Port"/>), and kept as written (<see cref="PortName"/>).</summary>
internal sealed record ProbeAction(
    ProbeKind Kind,
    ValueList<string> Command,
    string? Path,
    int? Port,
    string? PortName,
    string? Scheme,
    string? Host,
    ValueMap<string> Headers,
    string? GrpcService);
