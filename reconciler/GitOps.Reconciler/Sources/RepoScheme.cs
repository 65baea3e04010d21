namespace GitOps.Reconciler.Sources;

/// <summary>How a repository is reached; decides which credentials apply (a token for http(s), a key for ssh).</summary>
internal enum RepoScheme
{
    /// <summary>A path on this machine, written as a path or as file://.</summary>
    Local,
    Https,
    Http,

    /// <summary>ssh://[user@]host[:port]/path or the scp-like [user@]host:path.</summary>
    Ssh,

    /// <summary>git://host/path: the unauthenticated Git daemon protocol.</summary>
    Git,
}
