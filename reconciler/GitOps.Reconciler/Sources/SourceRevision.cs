namespace GitOps.Reconciler.Sources;

/// <summary>
/// A resolved source: the commit an app's ref pointed at when it was fetched, with what status output and
/// history listings show about it.
/// </summary>
/// <param name="Url">The repository URL as configured (user-info removed).</param>
/// <param name="Commit">Full 40-hex commit id.</param>
/// <param name="Ref">What was followed: "branch main", "tag v1", "revision 1a2b3c4".</param>
/// <param name="Subject">First line of the commit message.</param>
/// <param name="Author">Author name and e-mail, "Ada &lt;ada@example.org&gt;".</param>
/// <param name="When">Author date.</param>
internal sealed record SourceRevision(string Url, string Commit, string Ref, string Subject, string Author, DateTimeOffset When)
{
    public string ShortCommit => Commit[..7];
}
