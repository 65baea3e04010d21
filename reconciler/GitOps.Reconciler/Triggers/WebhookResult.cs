namespace GitOps.Reconciler.Triggers;

/// <summary>The verdict on one delivery: the outcome, the push when there is one, and a reason for the log and the HTTP response.</summary>
internal sealed record WebhookResult(WebhookOutcome Outcome, WebhookProvider? Provider, PushEvent? Push, string Reason)
{
    public bool Accepted => Outcome != WebhookOutcome.Rejected;

    public static WebhookResult Reject(WebhookProvider? provider, string reason) => new(WebhookOutcome.Rejected, provider, null, reason);
}
