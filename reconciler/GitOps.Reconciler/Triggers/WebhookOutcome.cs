namespace GitOps.Reconciler.Triggers;

/// <summary>What a delivery turned out to be; the listener answers 200 for all but <see cref="Rejected"/> (401/400).</summary>
internal enum WebhookOutcome
{
    /// <summary>A push: reconcile the apps it <see cref="PushEvent.Matches">matches</see>.</summary>
    Push,

    /// <summary>GitHub's ping on hook creation: answered OK, nothing to do.</summary>
    Ping,

    /// <summary>Authentic, but an event gitops does not act on (issues, releases...).</summary>
    Ignored,

    /// <summary>Unsigned or wrongly signed while a secret is configured, or not a webhook gitops understands.</summary>
    Rejected,
}
