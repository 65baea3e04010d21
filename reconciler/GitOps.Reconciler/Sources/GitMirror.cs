using System.Text.RegularExpressions;
using GitOps.Reconciler.Apps;
using LibGit2Sharp;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// One bare mirror of a remote repository: its branches and tags, copied ref for ref. Fetches are serialised
/// per mirror and happen at most once per reconcile cycle however many apps share the repository. Reads
/// (resolve, history, trees) open their own <see cref="Repository"/> and run concurrently with each other and
/// with a fetch: libgit2 writes packs and refs atomically, and a Repository object is not thread-safe anyway.
/// </summary>
internal sealed partial class GitMirror
{
    private const string HeadsPrefix = "refs/heads/";
    private const string TagsPrefix = "refs/tags/";
    private static readonly string[] RefSpecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Func<string> _sshProgram;
    private long _lastCycle = long.MinValue;
    private SourceException? _lastNetworkError;
    private long _fetches;

    internal GitMirror(RepoUrl url, string path, Func<string> sshProgram)
    {
        Url = url;
        Path = path;
        _sshProgram = sshProgram;
    }

    public RepoUrl Url { get; }

    /// <summary>The bare repository's directory, {root}/git/{hash}.</summary>
    public string Path { get; }

    /// <summary>The remote's default branch as it advertised it on the last fetch ("main"), or null if unknown.</summary>
    public string? DefaultBranch { get; private set; }

    /// <summary>How many times this mirror contacted its remote.</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    public bool Exists => Directory.Exists(System.IO.Path.Combine(Path, "objects"));

    /// <summary>
    /// Brings the mirror up to date for <paramref name="cycle"/>: a mirror already fetched in this cycle or a later
    /// one is left alone (cycle numbers only grow). A network failure is remembered for the cycle too, so ten apps
    /// on an unreachable host wait for one timeout, not ten.
    /// </summary>
    public async Task SyncAsync(AppSource source, long cycle, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (cycle <= _lastCycle && Exists)
            {
                if (_lastNetworkError is { } previous)
                    throw new SourceException(previous.Kind, Url.Original, null, "(earlier this cycle) " + previous.InnerException?.Message, previous.InnerException);
                return;
            }
            try
            {
                // libgit2 blocks for the whole transfer; keep it off the caller's thread.
                await Task.Run(() => Sync(source, ct), ct).ConfigureAwait(false);
                _lastNetworkError = null;
                _lastCycle = Math.Max(_lastCycle, cycle);
            }
            catch (SourceException e) when (e.Kind == SourceErrorKind.Network)
            {
                _lastNetworkError = e;
                _lastCycle = Math.Max(_lastCycle, cycle);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Resolves what <paramref name="source"/> follows to a commit in the mirror (after <see cref="SyncAsync"/>).</summary>
    public SourceRevision Resolve(AppSource source)
    {
        var reference = source.Revision is { } rev ? $"revision {rev}" : source.Tag is { } tag ? $"tag {tag}" : $"branch {source.Branch ?? DefaultBranch ?? "(default)"}";
        try
        {
            using var repo = Open();
            Commit commit;
            if (source.Revision is { } revision)
            {
                if (!HexId().IsMatch(revision))
                    throw new SourceException(SourceErrorKind.BadRef, Url.Original, reference, "a revision is a commit id: 4 to 40 hexadecimal digits");
                var found = repo.Lookup(revision + "^{commit}") as Commit;
                // A hex-looking branch name would also satisfy revparse; a pinned revision must be a commit id.
                if (found is null || !found.Sha.StartsWith(revision, StringComparison.OrdinalIgnoreCase))
                    throw new SourceException(SourceErrorKind.NotFound, Url.Original, reference, $"commit {revision} is not in the repository (is it pushed to a branch or tag?)");
                commit = found;
            }
            else if (source.Tag is { } tagName)
            {
                var r = repo.Refs[TagsPrefix + tagName]
                    ?? throw new SourceException(SourceErrorKind.NotFound, Url.Original, reference, $"tag '{tagName}' does not exist");
                var target = repo.Lookup(r.ResolveToDirectReference().TargetIdentifier);
                // Annotated tags point at a tag object; peel through it (and tags of tags) to the commit.
                commit = PeelToCommit(target)
                    ?? throw new SourceException(SourceErrorKind.BadRef, Url.Original, reference, $"tag '{tagName}' does not point at a commit");
                reference = $"tag {tagName}";
            }
            else
            {
                var branch = source.Branch ?? DefaultBranch ?? ReadDefaultBranch(repo)
                    ?? throw new SourceException(SourceErrorKind.NotFound, Url.Original, reference, "the remote advertises no default branch; name one with branch:");
                reference = $"branch {branch}";
                var r = repo.Refs[HeadsPrefix + branch]
                    ?? throw new SourceException(SourceErrorKind.NotFound, Url.Original, reference, $"branch '{branch}' does not exist");
                commit = repo.Lookup<Commit>(r.ResolveToDirectReference().TargetIdentifier)
                    ?? throw new SourceException(SourceErrorKind.BadRef, Url.Original, reference, $"branch '{branch}' does not point at a commit");
            }
            return ToRevision(commit, source.Revision is not null ? $"revision {commit.Sha[..7]}" : reference);
        }
        catch (Exception e) when (e is not SourceException)
        {
            throw GitErrors.Map(e, Url, reference, CancellationToken.None);
        }
    }

    /// <summary>First-parent history from <paramref name="commit"/>, newest first.</summary>
    public IReadOnlyList<SourceRevision> History(string commit, int max)
    {
        using var repo = Open();
        var start = LookupCommit(repo, commit);
        var filter = new CommitFilter { IncludeReachableFrom = start, FirstParentOnly = true, SortBy = CommitSortStrategies.Topological };
        return [.. repo.Commits.QueryBy(filter).Take(Math.Max(0, max)).Select(c => ToRevision(c, $"revision {c.Sha[..7]}"))];
    }

    /// <summary>True when <paramref name="ancestor"/> is reachable from <paramref name="descendant"/> (a commit is its own ancestor, as in git merge-base --is-ancestor).</summary>
    public bool IsAncestor(string ancestor, string descendant)
    {
        using var repo = Open();
        var a = LookupCommit(repo, ancestor);
        var d = LookupCommit(repo, descendant);
        if (a.Sha == d.Sha) return true;
        var mergeBase = repo.ObjectDatabase.FindMergeBase(a, d);
        return mergeBase is not null && mergeBase.Sha == a.Sha;
    }

    /// <summary>Writes <paramref name="commit"/>'s tree into <paramref name="directory"/> (which must not exist).</summary>
    public void WriteTree(string commit, string directory, IReadOnlySet<string>? leaveOut = null)
    {
        using var repo = Open();
        TreeWriter.Write(LookupCommit(repo, commit).Tree, directory, leaveOut);
    }

    /// <summary>Removes the mirror from disk (no application uses its repository any more); waits for a fetch under way.</summary>
    public void Delete()
    {
        _gate.Wait();
        try { if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        finally { _gate.Release(); }
    }

    private static Commit? PeelToCommit(GitObject? target)
    {
        if (target is null) return null;
        try { return target.Peel<Commit>(); }
        catch (LibGit2SharpException) { return null; }
    }

    private Commit LookupCommit(Repository repo, string commit)
    {
        if (!HexId().IsMatch(commit))
            throw new SourceException(SourceErrorKind.BadRef, Url.Original, $"revision {commit}", "a commit id is 4 to 40 hexadecimal digits");
        var c = repo.Lookup(commit + "^{commit}") as Commit;
        return c is not null && c.Sha.StartsWith(commit, StringComparison.OrdinalIgnoreCase)
            ? c
            : throw new SourceException(SourceErrorKind.NotFound, Url.Original, $"revision {commit[..Math.Min(7, commit.Length)]}", $"commit {commit} is not in the mirror");
    }

    private Repository Open()
    {
        if (!Exists) throw new SourceException(SourceErrorKind.NotFound, Url.Original, null, "the repository has not been fetched yet");
        try
        {
            return new Repository(Path);
        }
        catch (Exception e) when (LibGit2Native.IsLoadFailure(e))
        {
            throw new InvalidOperationException(LibGit2Native.MissingMessage(e), e);
        }
    }

    private void Sync(AppSource source, CancellationToken ct)
    {
        Interlocked.Increment(ref _fetches);
        try
        {
            // libgit2 cannot tell a missing local repository from an unknown protocol; say which it is.
            if (Url.IsLocal && !Directory.Exists(Url.Path))
                throw new SourceException(SourceErrorKind.NotFound, Url.Original, null, $"no repository at {Url.Path}");
            EnsureCreated();
            using var repo = new Repository(Path);
            ConfigureSsh(repo, source.Auth);
            var credentials = GitCredentials.For(Url, source.Auth);
            // ls-remote first: it names the default branch (HEAD's symref) and tells whether anything changed,
            // so an idle poll costs one round trip and no pack negotiation.
            var remote = (credentials is null ? repo.Network.ListReferences(Url.FetchUrl) : repo.Network.ListReferences(Url.FetchUrl, credentials)).ToList();
            ct.ThrowIfCancellationRequested();
            var advertised = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var r in remote)
            {
                if (r is DirectReference d && !r.CanonicalName.EndsWith("^{}", StringComparison.Ordinal)
                    && (r.CanonicalName.StartsWith(HeadsPrefix, StringComparison.Ordinal) || r.CanonicalName.StartsWith(TagsPrefix, StringComparison.Ordinal)))
                    advertised[r.CanonicalName] = d.TargetIdentifier;
            }
            DefaultBranch = DefaultBranchOf(remote, advertised);
            if (DefaultBranch is not null) repo.Config.Set("gitops.defaultBranch", DefaultBranch);

            var local = LocalRefs(repo);
            if (!SameRefs(local, advertised))
            {
                var options = new FetchOptions
                {
                    CredentialsProvider = credentials,
                    TagFetchMode = TagFetchMode.None,
                    // Returning false from a progress callback makes libgit2 abort the transfer.
                    OnTransferProgress = _ => !ct.IsCancellationRequested,
                    OnProgress = _ => !ct.IsCancellationRequested,
                };
                // A named remote (not an anonymous one): LibGit2Sharp takes a bare path for a remote name, not a URL.
                var remoteConfig = repo.Network.Remotes["origin"];
                if (remoteConfig is null) repo.Network.Remotes.Add("origin", Url.FetchUrl);
                else if (remoteConfig.Url != Url.FetchUrl) repo.Network.Remotes.Update("origin", r => r.Url = Url.FetchUrl);
                Commands.Fetch(repo, "origin", RefSpecs, options, null);
                // Branches and tags deleted upstream go here too: the mirror must not resolve what no longer exists.
                foreach (var (name, _) in LocalRefs(repo))
                    if (!advertised.ContainsKey(name)) repo.Refs.Remove(name);
            }
        }
        catch (Exception e)
        {
            throw GitErrors.Map(e, Url, null, ct);
        }
    }

    private static Dictionary<string, string> LocalRefs(Repository repo)
    {
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in repo.Refs)
            if (r is DirectReference d && (r.CanonicalName.StartsWith(HeadsPrefix, StringComparison.Ordinal) || r.CanonicalName.StartsWith(TagsPrefix, StringComparison.Ordinal)))
                refs[r.CanonicalName] = d.TargetIdentifier;
        return refs;
    }

    private static bool SameRefs(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>HEAD's symref target when advertised; otherwise the branch HEAD's commit matches (main, then master first).</summary>
    private static string? DefaultBranchOf(List<Reference> remote, Dictionary<string, string> advertised)
    {
        var head = remote.FirstOrDefault(r => r.CanonicalName == "HEAD");
        if (head is SymbolicReference s && s.TargetIdentifier.StartsWith(HeadsPrefix, StringComparison.Ordinal))
            return s.TargetIdentifier[HeadsPrefix.Length..];
        if (head is DirectReference d)
        {
            var matches = advertised.Where(kv => kv.Key.StartsWith(HeadsPrefix, StringComparison.Ordinal) && kv.Value == d.TargetIdentifier)
                .Select(kv => kv.Key[HeadsPrefix.Length..]).ToList();
            if (matches.Count > 0)
                return matches.Contains("main") ? "main" : matches.Contains("master") ? "master" : matches.Order(StringComparer.Ordinal).First();
        }
        return null;
    }

    private static string? ReadDefaultBranch(Repository repo) => repo.Config.Get<string>("gitops.defaultBranch")?.Value;

    /// <summary>ssh options (key, known hosts) reach the exec'd ssh client through core.sshCommand; see <see cref="SshCommand"/>.</summary>
    private void ConfigureSsh(Repository repo, SourceAuth? auth)
    {
        if (!Url.IsSsh) return;
        var script = SshCommand.Install(Path, _sshProgram(), auth);
        if (repo.Config.Get<string>("core.sshCommand")?.Value != script) repo.Config.Set("core.sshCommand", script);
    }

    private void EnsureCreated()
    {
        if (Exists) return;
        // Initialise beside the final place and rename, so a crash never leaves a half-made mirror behind.
        var parent = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(parent);
        var temp = Path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        Repository.Init(temp, isBare: true);
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true); // a leftover without objects/
            Directory.Move(temp, Path);
        }
        catch
        {
            Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    private SourceRevision ToRevision(Commit c, string reference) =>
        new(RepoUrl.Redact(Url.Original), c.Sha, reference, c.MessageShort, $"{c.Author.Name} <{c.Author.Email}>", c.Author.When);

    [GeneratedRegex("^[0-9a-fA-F]{4,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexId();
}
