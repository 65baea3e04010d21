namespace GitOps.Reconciler.Model;

/// <summary>The kind of a service address: cluster-internal, published on every node (NodePort; LoadBalancer is treated as NodePort), or headless (DNS only).</summary>
internal enum RouteType
{
    ClusterIp,
    NodePort,
    Headless,
}
