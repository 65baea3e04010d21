namespace GitOps.Cli.Daemon;

/// <summary>The daemon's command line: where state lives, the API socket, and the reconciler's settings.</summary>
internal sealed record DaemonOptions(string Root, string Socket, string? ConfigFile, TimeSpan DriftInterval, string? WebhookListen, string? OtlpEndpoint, bool TelemetryConsole,
    IReadOnlyList<string> InsecureRegistries)
{
    /// <summary>This node's name in a cluster (node.hostname in constraints); the hostname by default.</summary>
    public string NodeName { get; init; } = Environment.MachineName;

    /// <summary>An external etcd (--etcd-endpoints, with its own certificates) instead of a supervised member.</summary>
    public GitOps.Cluster.Membership.ExternalEtcd? ExternalEtcd { get; init; }
    /// <summary>ADDRESS:PORT of the Prometheus endpoint (GET /metrics); none when null.</summary>
    public string? MetricsListen { get; init; }
}
