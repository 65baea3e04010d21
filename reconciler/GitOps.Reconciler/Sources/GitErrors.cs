using LibGit2Sharp;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// Turns libgit2's errors into <see cref="SourceException"/>s. libgit2 reports most transport failures with one
/// exception type and a message, so the kind is read from the message; anything unrecognised counts as a
/// network error, which is retried rather than parked until a new commit.
/// </summary>
internal static class GitErrors
{
    private static readonly string[] AuthHints =
    [
        "authentication", "credentials", "401", "403", "permission denied", "host key", "publickey",
        "too many redirects or authentication replays", "unauthorized", "forbidden",
    ];

    private static readonly string[] NotFoundHints =
    [
        "could not find repository", "not found", "404", "does not appear to be a git repository",
        "does not exist", "repository not exported", "no such file or directory",
    ];

    private static readonly string[] BadRefHints = ["unsupported url protocol", "malformed url", "invalid url"];

    public static Exception Map(Exception e, RepoUrl url, string? reference, CancellationToken ct)
    {
        if (e is SourceException or OperationCanceledException) return e;
        // Not the repository's fault and not worth retrying: the installation lacks libgit2.
        if (LibGit2Native.IsLoadFailure(e)) return new InvalidOperationException(LibGit2Native.MissingMessage(e), e);
        if (e is UserCancelledException || ct.IsCancellationRequested) return new OperationCanceledException("fetch of " + url + " cancelled", e, ct);
        var message = Clean(e.Message, url);
        var kind = e switch
        {
            RepositoryNotFoundException => SourceErrorKind.NotFound,
            AmbiguousSpecificationException => SourceErrorKind.BadRef,
            _ when Contains(message, AuthHints) => SourceErrorKind.Auth,
            _ when Contains(message, BadRefHints) => SourceErrorKind.BadRef,
            _ when Contains(message, NotFoundHints) => SourceErrorKind.NotFound,
            // exec'd ssh that exits early (unknown host key, refused key, unreachable host) shows up as a
            // short read; ssh's own explanation went to the daemon's stderr.
            _ when url.IsSsh && message.Contains("early eof", StringComparison.OrdinalIgnoreCase) =>
                SourceErrorKind.Network,
            _ => SourceErrorKind.Network,
        };
        if (url.IsSsh && kind == SourceErrorKind.Network)
            message += " (ssh runs as a separate process: its own message, e.g. about the host key, is on the daemon's stderr)";
        return new SourceException(kind, url.Original, reference, message, e);
    }

    private static bool Contains(string message, string[] hints) =>
        hints.Any(h => message.Contains(h, StringComparison.OrdinalIgnoreCase));

    /// <summary>libgit2 may echo the URL it was given; a URL carrying user-info must not reach a log with it.</summary>
    private static string Clean(string message, RepoUrl url)
    {
        var original = url.Original.Trim();
        var redacted = RepoUrl.Redact(original);
        return original == redacted ? message : message.Replace(original, redacted, StringComparison.Ordinal);
    }
}
