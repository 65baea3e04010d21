namespace GitOps.Reconciler.Loading;

/// <summary>
/// Every file and directory one load read or resolved (manifests, .env and env_file files, secret and config files,
/// extends and include targets, build contexts, seccomp profiles), as full paths: what a cached compile of the same
/// revision depends on besides the revision itself, so a change in any of them can invalidate it.
/// </summary>
internal sealed class LoadInputs
{
    readonly HashSet<string> _paths = new(StringComparer.Ordinal);

    public void Add(string path)
    {
        var full = Path.GetFullPath(path);
        lock (_paths) _paths.Add(full);
    }

    public IReadOnlyList<string> Paths
    {
        get { lock (_paths) return _paths.Order(StringComparer.Ordinal).ToList(); }
    }
}
