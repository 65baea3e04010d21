namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// How the engine can split the service's traffic between versions: not at all (clients reach replicas directly, so
/// weights are approximated by replica counts, as Argo Rollouts' basic canary does), per connection (the kernel router),
/// or per request with header routes (the HTTP router).
/// </summary>
internal enum TrafficRouting
{
    Replicas,
    Weighted,
    Http,
}
