namespace GitOps.Reconciler.Model;

/// <summary>
/// A service address (a Kubernetes Service): a stable name and ports in front of the replicas of the
/// services its selector matches (<see cref="Backends"/>). Kept apart from the services, so pointing a route
/// at another service (blue/green) changes only the route, never the services' spec hashes.
/// </summary>
internal sealed record Route(
    string Name,
    RouteType Type,
    ValueMap<string> Selector,
    ValueList<string> Backends,
    ValueList<RoutePort> Ports,
    string? SessionAffinity,
    ValueMap<string> Labels,
    string? RequestedType);
