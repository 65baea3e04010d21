using System.Net;

namespace GitOps.Reconciler.Configuration;

/// <summary>The webhook listener: where it listens and the secret deliveries are verified with (null: accept unsigned).</summary>
internal sealed record WebhookConfig(IPEndPoint Listen, string? Secret)
{
    public bool Verifies => Secret is not null;

    // Never print the secret: configs end up in logs and status output.
    public override string ToString() => $"WebhookConfig {{ Listen = {Listen}, Secret = {(Secret is null ? "null" : "***")} }}";
}
