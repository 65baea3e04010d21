using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Sources;

namespace GitOps.Reconciler.Triggers;

/// <summary>
/// A push a forge told us about: every URL the payload gives for the repository (clone, ssh, web), the ref
/// that moved and where it points now.
/// </summary>
/// <param name="RepositoryUrls">All the repository's URLs found in the payload; an app matches if its repo names the same repository as any.</param>
/// <param name="Ref">The full ref: refs/heads/main, refs/tags/v1.</param>
/// <param name="After">The commit the ref points at after the push (all zeros when it was deleted), or null if not given.</param>
/// <param name="DefaultBranch">The repository's default branch when the payload says, for apps that follow the default.</param>
/// <param name="Signed">False when no secret is configured, so nothing vouches for the sender.</param>
internal sealed record PushEvent(WebhookProvider Provider, IReadOnlyList<string> RepositoryUrls, string Ref, string? After, string? DefaultBranch, bool Signed)
{
    private const string HeadsPrefix = "refs/heads/";
    private const string TagsPrefix = "refs/tags/";

    /// <summary>The branch pushed to, or null for a tag or another ref.</summary>
    public string? Branch => Ref.StartsWith(HeadsPrefix, StringComparison.Ordinal) ? Ref[HeadsPrefix.Length..] : null;

    /// <summary>The tag pushed, or null.</summary>
    public string? Tag => Ref.StartsWith(TagsPrefix, StringComparison.Ordinal) ? Ref[TagsPrefix.Length..] : null;

    /// <summary>The ref was deleted (after is all zeros).</summary>
    public bool Deleted => After is { Length: > 0 } a && a.All(c => c == '0');

    /// <summary>
    /// Whether this push concerns <paramref name="app"/>: the same repository (however either spells its URL) and
    /// the ref the app follows. An app following the default branch matches a push to the default branch when
    /// the payload (or <paramref name="knownDefaultBranch"/>, e.g. from the mirror) names it, and any branch push
    /// otherwise: an extra reconcile costs little, a missed one leaves the app stale until the next poll. Apps
    /// pinned to a revision and local sources never match.
    /// </summary>
    public bool Matches(AppSpec app, string? knownDefaultBranch = null)
    {
        var source = app.Source;
        if (source.Kind != SourceKind.Git || source.Revision is not null) return false;
        if (!RepoUrl.TryParse(source.Repo, out var repo)) return false;
        if (!RepositoryUrls.Any(u => RepoUrl.TryParse(u, out var pushed) && pushed.SameRepository(repo)))
            return false;
        if (source.Tag is { } tag) return Tag == tag;
        if (Branch is not { } branch) return false;
        if (source.Branch is { } followed) return branch == followed;
        var defaultBranch = DefaultBranch ?? knownDefaultBranch;
        return defaultBranch is null || branch == defaultBranch;
    }
}
