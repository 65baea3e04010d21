namespace GitOps.Reconciler.Configuration;

/// <summary>Where traces and metrics go: an OTLP collector, the console, both or neither.</summary>
internal sealed record TelemetryConfig(Uri? OtlpEndpoint, bool Console)
{
    public static readonly TelemetryConfig None = new(null, false);
}
