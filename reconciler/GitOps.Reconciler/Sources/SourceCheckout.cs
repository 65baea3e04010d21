namespace GitOps.Reconciler.Sources;

/// <summary>
/// One revision's whole tree, secret files included, in a private directory that lives as long as this object: a
/// revision is loaded and compiled from it, then it is removed, so plaintext secrets exist only in memory and, for
/// that moment, on a tmpfs.
/// </summary>
internal sealed class SourceCheckout(string commit, string directory) : IDisposable
{
    public string Commit { get; } = commit;

    public string Directory { get; } = directory;

    public void Dispose() => Remove(Directory);

    /// <summary>Removes a directory tree, links as links; a failure is left for the next start's sweep.</summary>
    public static void Remove(string dir)
    {
        try { if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
