using System.Collections.Concurrent;
using GitOps.Reconciler.Apps;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// The daemon's Git sources under one root: a bare mirror per repository in <c>{root}/git/{hash}</c> and the
/// trees of commits in use in <c>{root}/trees/{commit}</c>. Apps are reconciled concurrently; apps that share a
/// repository share its mirror and its fetch.
/// </summary>
/// <remarks>
/// Cycle numbers come from the caller and only grow: a poll round takes one number for all its apps, an app
/// triggered on its own (webhook, <c>gitops sync</c>) takes a fresh one, so it always sees the newest commit.
/// </remarks>
internal sealed class GitSourceCache
{
    private readonly ConcurrentDictionary<string, GitMirror> _mirrors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _treeLocks = new(StringComparer.Ordinal);

    public GitSourceCache(string root)
    {
        Root = Path.GetFullPath(root);
        LibGit2Native.EnsureConfigured();
    }

    public string Root { get; }

    public string MirrorsDirectory => Path.Combine(Root, "git");

    public string TreesDirectory => Path.Combine(Root, "trees");

    /// <summary>The ssh client mirrors fetch with (tests substitute a stand-in); "ssh" from PATH by default.</summary>
    public string SshProgram { get; init; } = "ssh";

    /// <summary>How many times any mirror contacted its remote (an ls-remote, plus a fetch when something changed).</summary>
    public long Fetches => _mirrors.Values.Sum(m => m.Fetches);

    /// <summary>
    /// Fetches the app's repository unless it was fetched in this cycle already, then resolves its branch (the
    /// remote's default branch when none is set), tag (peeled to its commit) or pinned revision (full or
    /// abbreviated; it must be in the repository after the fetch).
    /// </summary>
    /// <exception cref="SourceException">The repository or ref cannot be read; <see cref="SourceException.Kind"/> says why.</exception>
    public async Task<SourceRevision> ResolveAsync(AppSource source, long cycle, CancellationToken cancellationToken = default)
    {
        if (source.Kind != SourceKind.Git)
            throw new SourceException(SourceErrorKind.BadRef, source.Repo, source.Describe(), "a local source is read as it is; there is nothing to fetch or resolve");
        var mirror = Mirror(source.Repo);
        await mirror.SyncAsync(source, cycle, cancellationToken).ConfigureAwait(false);
        return mirror.Resolve(source);
    }

    /// <summary>
    /// The revision <paramref name="commit"/> (full or abbreviated) of the app's repository as last fetched, without
    /// fetching: for rollbacks and history entries. Throws <see cref="SourceException"/> (NotFound) when absent.
    /// </summary>
    public SourceRevision Describe(AppSource source, string commit) =>
        Mirror(source.Repo).Resolve(new AppSource(SourceKind.Git, source.Repo, null, null, commit, source.Auth));

    /// <summary>The tree of <paramref name="commit"/> in the app's repository; see <see cref="Materialize(string, string)"/>.</summary>
    public string Materialize(AppSource source, string commit) => Materialize(source.Repo, commit);

    /// <summary>The mirror of <paramref name="url"/> (created on first fetch).</summary>
    public GitMirror Mirror(string url)
    {
        var parsed = RepoUrl.Parse(url);
        return _mirrors.GetOrAdd(parsed.Key, _ => new GitMirror(parsed, Path.Combine(MirrorsDirectory, parsed.Hash), () => SshProgram));
    }

    /// <summary>
    /// The directory holding <paramref name="commit"/>'s files, written on first use. Written to a temporary
    /// directory and renamed into place, so a reader never sees half a tree and a crash leaves only a temporary
    /// directory that <see cref="Prune"/> removes.
    /// </summary>
    public string Materialize(string url, string commit)
    {
        var mirror = Mirror(url);
        var id = commit.ToLowerInvariant();
        if (id.Length != 40)
            id = mirror.Resolve(new AppSource(SourceKind.Git, url, null, null, commit, null)).Commit;
        var target = Path.Combine(TreesDirectory, id);
        if (Directory.Exists(target)) return target;
        // One writer per commit in this process; another process (or a crash) is covered by the rename.
        lock (_treeLocks.GetOrAdd(id, _ => new object()))
        {
            if (Directory.Exists(target)) return target;
            Directory.CreateDirectory(TreesDirectory);
            var temp = Path.Combine(TreesDirectory, ".tmp-" + id[..12] + "-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                mirror.WriteTree(id, temp);
                Directory.Move(temp, target);
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // Someone else put the same tree in place first: theirs is as good as ours.
                TryDelete(temp);
            }
            catch (Exception e)
            {
                TryDelete(temp);
                if (e is SourceException) throw;
                throw new SourceException(SourceErrorKind.BadRef, url, $"revision {id[..7]}", $"cannot write the tree to {TreesDirectory}: {e.Message}", e);
            }
            return target;
        }
    }

    /// <summary>
    /// Removes every materialised tree whose commit is not in <paramref name="keep"/> (the revisions apps run
    /// and may roll back to), and temporary directories an interrupted write left over an hour ago.
    /// </summary>
    /// <returns>How many directories were removed.</returns>
    public int Prune(IEnumerable<string> keep)
    {
        if (!Directory.Exists(TreesDirectory)) return 0;
        var kept = new HashSet<string>(keep.Select(k => k.ToLowerInvariant()), StringComparer.Ordinal);
        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(TreesDirectory))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith(".tmp-", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir) < TimeSpan.FromHours(1)) continue;
            }
            else if (kept.Contains(name))
            {
                continue;
            }
            lock (_treeLocks.GetOrAdd(name, _ => new object()))
            {
                if (TryDelete(dir)) removed++;
            }
            _treeLocks.TryRemove(name, out _);
        }
        return removed;
    }

    /// <summary>First-parent history of <paramref name="commit"/> in <paramref name="url"/>'s mirror, newest first, at most <paramref name="max"/> entries.</summary>
    public IReadOnlyList<SourceRevision> History(string url, string commit, int max) => Mirror(url).History(commit, max);

    /// <summary>Whether <paramref name="descendant"/> contains <paramref name="ancestor"/> (equal commits count): after a rollback pin, a
    /// branch head for which this is false against the pinned commit is not "newer".</summary>
    public bool IsAncestor(string url, string ancestor, string descendant) => Mirror(url).IsAncestor(ancestor, descendant);

    private static bool TryDelete(string dir)
    {
        try
        {
            // Trees hold read-only files and symlinks: Directory.Delete removes links without following them.
            Directory.Delete(dir, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return !Directory.Exists(dir);
        }
    }
}
