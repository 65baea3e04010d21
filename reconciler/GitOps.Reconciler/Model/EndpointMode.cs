namespace GitOps.Reconciler.Model;

/// <summary>How a service name resolves: one virtual IP (Vip) or the list of replica addresses (Dnsrr, Kubernetes headless).</summary>
internal enum EndpointMode
{
    Vip,
    Dnsrr,
}
