namespace GitOps.Reconciler.Model;

/// <summary>
/// What each replica is made of: one or more containers sharing a network namespace (a Compose service has
/// one; a Kubernetes pod may have sidecars and init containers), plus the replica-level settings.
/// Changing anything here means replacing replicas; replica count and update policy live outside it.
/// <see cref="ServiceAccount"/> is a Kubernetes pod's service account name (what <c>spec.serviceAccountName</c> reads);
/// <see cref="DnsPolicy"/> its dnsPolicy when not the default ClusterFirst, <see cref="DnsOptions"/> its dnsConfig.options.
/// </summary>
internal sealed record PodTemplate(
    ValueMap<string> Labels,
    ValueMap<string> Annotations,
    ValueList<Container> Containers,
    ValueList<Container> InitContainers,
    string? Hostname,
    string? Domainname,
    NetworkMode NetworkMode,
    ValueList<NetworkAttachment> Networks,
    ValueList<string> Dns,
    ValueList<string> DnsSearch,
    ValueList<string> ExtraHosts,
    RestartPolicy Restart,
    TimeSpan StopGracePeriod,
    ValueList<string> VolumesFrom,
    string? Ipc,
    string? Pid,
    string? ServiceAccount = null,
    string? DnsPolicy = null,
    ValueList<string> DnsOptions = default);
