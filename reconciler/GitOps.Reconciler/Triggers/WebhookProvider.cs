namespace GitOps.Reconciler.Triggers;

/// <summary>Which forge sent a webhook; each signs its deliveries its own way.</summary>
internal enum WebhookProvider
{
    /// <summary>X-GitHub-Event, X-Hub-Signature-256: sha256=HMAC-SHA256(secret, body) in hex.</summary>
    GitHub,

    /// <summary>Gitea, Forgejo and Gogs: X-Gitea-Event (X-Forgejo-Event, X-Gogs-Event), X-Gitea-Signature: hex HMAC-SHA256.</summary>
    Gitea,

    /// <summary>X-Gitlab-Event, X-Gitlab-Token: the secret itself.</summary>
    GitLab,
}
