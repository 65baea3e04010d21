namespace GitOps.Cli.Daemon;

/// <summary>The daemon's command line: where state lives, the API socket, and the reconciler's settings.</summary>
internal sealed record DaemonOptions(string Root, string Socket, string? ConfigFile, TimeSpan DriftInterval, string? WebhookListen, string? OtlpEndpoint, bool TelemetryConsole,
    IReadOnlyList<string> InsecureRegistries)
{
    /// <summary>ADDRESS:PORT of the Prometheus endpoint (GET /metrics); none when null.</summary>
    public string? MetricsListen { get; init; }
}
