namespace GitOps.Reconciler.Sources;

/// <summary>Why a source could not be read; decides whether the reconciler retries (Network) or waits for a fix.</summary>
internal enum SourceErrorKind
{
    /// <summary>The repository, branch, tag or commit does not exist (or the mirror was never fetched).</summary>
    NotFound,

    /// <summary>Credentials were missing or refused (token, ssh key, host key).</summary>
    Auth,

    /// <summary>Transport trouble: unreachable host, timeout, broken connection. Transient: retry with backoff.</summary>
    Network,

    /// <summary>The ref itself is unusable: ambiguous abbreviation, not a commit, malformed name, unsupported URL.</summary>
    BadRef,
}
