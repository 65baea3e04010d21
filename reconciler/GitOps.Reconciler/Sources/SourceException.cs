namespace GitOps.Reconciler.Sources;

/// <summary>
/// A Git source failed. The message names the repository (with any user-info removed, so a token written into
/// a URL never reaches a log) and the ref that was asked for; never a credential.
/// </summary>
internal sealed class SourceException : Exception
{
    public SourceException(SourceErrorKind kind, string url, string? reference, string message, Exception? inner = null)
        : base(Compose(kind, RepoUrl.Redact(url), reference, message), inner)
    {
        Kind = kind;
        Url = RepoUrl.Redact(url);
        Reference = reference;
    }

    public SourceErrorKind Kind { get; }

    /// <summary>The repository URL as configured, without user-info.</summary>
    public string Url { get; }

    /// <summary>What was being resolved ("branch main", "tag v1", "revision 1a2b3c4"), or null for whole-repository failures.</summary>
    public string? Reference { get; }

    /// <summary>Network failures are worth retrying with backoff; the others need a change in Git or in the config.</summary>
    public bool IsTransient => Kind == SourceErrorKind.Network;

    private static string Compose(SourceErrorKind kind, string url, string? reference, string message)
    {
        var what = kind switch
        {
            SourceErrorKind.NotFound => "not found",
            SourceErrorKind.Auth => "authentication failed",
            SourceErrorKind.Network => "network error",
            _ => "bad reference",
        };
        return reference is null ? $"{url}: {what}: {message}" : $"{url} ({reference}): {what}: {message}";
    }
}
