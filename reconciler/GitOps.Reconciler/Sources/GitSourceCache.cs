using System.Collections.Concurrent;
using GitOps.Reconciler.Apps;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// The daemon's Git sources under one root: a bare mirror per repository in <c>{root}/git/{hash}</c>, short-lived
/// checkouts that revisions are loaded from (<see cref="Checkout"/>, on a tmpfs), and the run trees of revisions in
/// use in <c>{root}/trees/{commit}</c> — the files running containers bind and builds read, without the revision's
/// secret files. Apps are reconciled concurrently; apps that share a repository share its mirror and its fetch.
/// </summary>
/// <remarks>
/// Cycle numbers come from the caller and only grow: a poll round takes one number for all its apps, an app
/// triggered on its own (webhook, <c>gitops sync</c>) takes a fresh one, so it always sees the newest commit.
/// </remarks>
internal sealed class GitSourceCache
{
    private readonly ConcurrentDictionary<string, GitMirror> _mirrors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _treeLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTime> _treeUsed = new(StringComparer.Ordinal);

    /// <summary>A run tree used this recently is never pruned: it may be about to be applied (its revision not yet in anyone's status).</summary>
    public static readonly TimeSpan TreeGrace = TimeSpan.FromMinutes(10);

    public GitSourceCache(string root)
    {
        Root = Path.GetFullPath(root);
        LibGit2Native.EnsureConfigured();
    }

    public string Root { get; }

    public string MirrorsDirectory => Path.Combine(Root, "git");

    public string TreesDirectory => Path.Combine(Root, "trees");

    /// <summary>
    /// Where checkouts are written: a private directory on a tmpfs (see <see cref="CheckoutArea"/>), so a revision's
    /// secret files never reach a disk. Defaults to <c>{root}/checkouts</c> (tests, and hosts without /dev/shm).
    /// </summary>
    public string CheckoutsDirectory { get; init; } = "";

    string Checkouts => CheckoutsDirectory is { Length: > 0 } d ? d : Path.Combine(Root, "checkouts");

    /// <summary>
    /// The whole tree of <paramref name="commit"/>, secret files included, in a private directory removed when the
    /// checkout is disposed: what a revision is loaded and compiled from.
    /// </summary>
    public SourceCheckout Checkout(AppSource source, string commit)
    {
        var mirror = Mirror(source.Repo);
        var id = FullId(mirror, source.Repo, commit);
        Directory.CreateDirectory(Checkouts, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var dir = Path.Combine(Checkouts, id[..12] + "-" + Guid.NewGuid().ToString("N")[..8]);
        try { mirror.WriteTree(id, dir); }
        catch (Exception e)
        {
            SourceCheckout.Remove(dir);
            if (e is SourceException) throw;
            throw new SourceException(SourceErrorKind.BadRef, source.Repo, $"revision {id[..7]}", $"cannot check out the tree into {Checkouts}: {e.Message}", e);
        }
        return new SourceCheckout(id, dir);
    }

    /// <summary>
    /// The run tree of <paramref name="commit"/>: every file but <paramref name="leaveOut"/> (paths relative to the
    /// tree's root), written on first use. A tree already there (written by an earlier daemon, or before a file became
    /// a secret) loses the <paramref name="leaveOut"/> files it holds.
    /// </summary>
    public string RunTree(string url, string commit, IReadOnlySet<string> leaveOut)
    {
        var path = Materialize(url, commit, leaveOut);
        Touch(Path.GetFileName(path));
        foreach (var relative in leaveOut)
        {
            var file = Path.Combine(path, relative);
            if (File.Exists(file) || Directory.Exists(file) && new FileInfo(file).LinkTarget is not null) File.Delete(file);
        }
        return path;
    }

    /// <summary>Marks <paramref name="commit"/>'s run tree as in use now (it is not pruned for <see cref="TreeGrace"/>).</summary>
    public void Touch(string commit) => _treeUsed[commit.ToLowerInvariant()] = DateTime.UtcNow;

    /// <summary>Ends the grace period of <paramref name="commit"/>'s run tree (its application is gone).</summary>
    public void ForgetUse(string commit) => _treeUsed.TryRemove(commit.ToLowerInvariant(), out _);

    /// <summary>Removes the mirror of <paramref name="url"/> (its run trees go with the next <see cref="Prune"/>).</summary>
    public void RemoveMirror(string url)
    {
        if (!RepoUrl.TryParse(url, out var parsed)) return;
        if (_mirrors.TryRemove(parsed.Key, out var mirror)) mirror.Delete();
        else SourceCheckout.Remove(Path.Combine(MirrorsDirectory, parsed.Hash));
    }

    static string FullId(GitMirror mirror, string url, string commit)
    {
        var id = commit.ToLowerInvariant();
        return id.Length == 40 ? id : mirror.Resolve(new AppSource(SourceKind.Git, url, null, null, commit, null)).Commit;
    }

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
    public string Materialize(string url, string commit) => Materialize(url, commit, null);

    string Materialize(string url, string commit, IReadOnlySet<string>? leaveOut)
    {
        var mirror = Mirror(url);
        var id = FullId(mirror, url, commit);
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
                mirror.WriteTree(id, temp, leaveOut);
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
            else if (kept.Contains(name) || _treeUsed.TryGetValue(name, out var used) && DateTime.UtcNow - used < TreeGrace)
            {
                continue;
            }
            lock (_treeLocks.GetOrAdd(name, _ => new object()))
            {
                if (TryDelete(dir)) removed++;
            }
            _treeLocks.TryRemove(name, out _);
            _treeUsed.TryRemove(name, out _);
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
