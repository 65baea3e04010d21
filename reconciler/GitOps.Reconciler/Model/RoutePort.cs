namespace GitOps.Reconciler.Model;

/// <summary>
/// A route port: <see cref="Port"/> on the route's address, <see cref="TargetPort"/> as written (a number or a
/// container port name), resolved to a number per backend service in <see cref="Resolved"/>, and the
/// <see cref="NodePort"/> published on every node for NodePort routes (null: chosen by the engine).
/// </summary>
internal sealed record RoutePort(string? Name, int Port, string Protocol, string TargetPort, int? NodePort, ValueMap<int> Resolved);
