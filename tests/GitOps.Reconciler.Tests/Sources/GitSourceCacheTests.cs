using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Sources;

namespace GitOps.Reconciler.Tests.Sources;

public sealed class GitSourceCacheTests : IDisposable
{
    private readonly GitFixture _git = new();

    public void Dispose() => _git.Dispose();

    private AppSource Source(string? branch = null, string? tag = null, string? revision = null, string? repo = null) =>
        new(SourceKind.Git, repo ?? _git.RemoteUrl, branch, tag, revision, null);

    [Fact]
    public async Task ResolvesTheDefaultBranchBranchesTagsAndRevisions()
    {
        var cache = new GitSourceCache(_git.Cache);
        var head = await cache.ResolveAsync(Source(), 1);
        Assert.Equal(_git.Second, head.Commit);
        Assert.Equal("branch main", head.Ref);
        Assert.Equal("Second commit", head.Subject);
        Assert.Equal("Ada Lovelace <ada@example.org>", head.Author);
        Assert.Equal(_git.RemoteUrl, head.Url);

        Assert.Equal(_git.Feature, (await cache.ResolveAsync(Source(branch: "feature"), 1)).Commit);
        var annotated = await cache.ResolveAsync(Source(tag: "v1"), 1);
        Assert.Equal(_git.First, annotated.Commit);
        Assert.Equal("tag v1", annotated.Ref);
        Assert.Equal("First commit", annotated.Subject);
        Assert.Equal(_git.Second, (await cache.ResolveAsync(Source(tag: "v2-light"), 1)).Commit);
        Assert.Equal(_git.First, (await cache.ResolveAsync(Source(revision: _git.First), 1)).Commit);
        var abbreviated = await cache.ResolveAsync(Source(revision: _git.Feature[..7]), 1);
        Assert.Equal(_git.Feature, abbreviated.Commit);
        Assert.Equal("revision " + _git.Feature[..7], abbreviated.Ref);
        Assert.Equal(1, cache.Fetches);
    }

    [Fact]
    public async Task AppsSharingARepositoryFetchItOncePerCycle()
    {
        var cache = new GitSourceCache(_git.Cache);
        // The same repository written two ways: a plain path and a file:// URL with a trailing ".git/".
        var a = Source(branch: "main", repo: _git.Remote);
        var b = Source(branch: "feature", repo: _git.RemoteUrl + "/");
        var first = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => cache.ResolveAsync(i % 2 == 0 ? a : b, cycle: 1)));
        Assert.Equal(1, cache.Fetches);
        Assert.All(first.Where((_, i) => i % 2 == 0), r => Assert.Equal(_git.Second, r.Commit));

        var pushed = _git.PushNewCommit("Third commit");
        // Same cycle: no fetch, so the push is not seen yet.
        Assert.Equal(_git.Second, (await cache.ResolveAsync(a, 1)).Commit);
        Assert.Equal(1, cache.Fetches);
        // An older cycle (a straggler of the previous round) does not fetch either.
        Assert.Equal(_git.Second, (await cache.ResolveAsync(b with { Branch = "main" }, 0)).Commit);
        var next = await Task.WhenAll(cache.ResolveAsync(a, 2), cache.ResolveAsync(b, 2));
        Assert.Equal(2, cache.Fetches);
        Assert.Equal(pushed, next[0].Commit);
        Assert.Equal(_git.Feature, next[1].Commit);
    }

    [Fact]
    public async Task AMissingBranchIsATypedErrorNamingItAndTheRepository()
    {
        var cache = new GitSourceCache(_git.Cache);
        var e = await Assert.ThrowsAsync<SourceException>(() => cache.ResolveAsync(Source(branch: "nope"), 1));
        Assert.Equal(SourceErrorKind.NotFound, e.Kind);
        Assert.Contains("'nope'", e.Message);
        Assert.Contains(_git.RemoteUrl, e.Message);
        Assert.Equal("branch nope", e.Reference);

        var tag = await Assert.ThrowsAsync<SourceException>(() => cache.ResolveAsync(Source(tag: "v9"), 1));
        Assert.Equal(SourceErrorKind.NotFound, tag.Kind);
        Assert.Contains("tag 'v9'", tag.Message);

        var rev = await Assert.ThrowsAsync<SourceException>(() => cache.ResolveAsync(Source(revision: "deadbeef"), 1));
        Assert.Equal(SourceErrorKind.NotFound, rev.Kind);
        var bad = await Assert.ThrowsAsync<SourceException>(() => cache.ResolveAsync(Source(revision: "main"), 1));
        Assert.Equal(SourceErrorKind.BadRef, bad.Kind);
    }

    [Fact]
    public async Task AMissingRepositoryIsNotFound()
    {
        var cache = new GitSourceCache(_git.Cache);
        var url = "file://" + Path.Combine(_git.Root, "absent.git");
        var e = await Assert.ThrowsAsync<SourceException>(() => cache.ResolveAsync(Source(repo: url), 1));
        Assert.True(e.Kind == SourceErrorKind.NotFound, e.Message);
        Assert.Contains(url, e.Message);
    }

    [Fact]
    public async Task BranchesDeletedUpstreamDisappearFromTheMirror()
    {
        var cache = new GitSourceCache(_git.Cache);
        Assert.Equal(_git.Feature, (await cache.ResolveAsync(Source(branch: "feature"), 1)).Commit);
        GitFixture.Git(_git.Remote, "branch", "-D", "feature");
        var e = await Assert.ThrowsAsync<SourceException>(() => cache.ResolveAsync(Source(branch: "feature"), 2));
        Assert.Equal(SourceErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task MaterializeWritesFilesExecutableBitsAndSymlinksOnce()
    {
        var cache = new GitSourceCache(_git.Cache);
        var rev = await cache.ResolveAsync(Source(), 1);
        var dir = cache.Materialize(_git.RemoteUrl, rev.Commit);
        Assert.Equal(Path.Combine(_git.Cache, "trees", rev.Commit), dir);
        Assert.Equal("services:\n  web:\n    image: web:2\n", File.ReadAllText(Path.Combine(dir, "compose/compose.yaml")));
        Assert.True(File.GetUnixFileMode(Path.Combine(dir, "compose/run.sh")).HasFlag(UnixFileMode.UserExecute));
        Assert.False(File.GetUnixFileMode(Path.Combine(dir, "compose/compose.yaml")).HasFlag(UnixFileMode.UserExecute));
        var link = new FileInfo(Path.Combine(dir, "compose/link.yaml"));
        Assert.Equal("compose.yaml", link.LinkTarget);
        Assert.Equal("services:\n  web:\n    image: web:2\n", File.ReadAllText(link.FullName));
        Assert.False(Directory.Exists(Path.Combine(dir, ".git")));

        // Present already: reused as it is, even by an abbreviated id; concurrent writers of one commit agree.
        File.WriteAllText(Path.Combine(dir, "marker"), "");
        Assert.Equal(dir, cache.Materialize(_git.RemoteUrl, rev.Commit[..8]));
        Assert.True(File.Exists(Path.Combine(dir, "marker")));
        var dirs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => cache.Materialize(_git.Remote, _git.First))));
        Assert.All(dirs, d => Assert.Equal(Path.Combine(_git.Cache, "trees", _git.First), d));
        Assert.Equal("services:\n  web:\n    image: web:1\n", File.ReadAllText(Path.Combine(dirs[0], "compose/compose.yaml")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_git.Cache, "trees"), ".tmp-*"));

        Assert.Equal(1, cache.Prune([rev.Commit]));
        Assert.True(Directory.Exists(dir));
        Assert.False(Directory.Exists(dirs[0]));
    }

    [Fact]
    public async Task CheckoutsAreWholeAndGoneOnDisposeRunTreesLeaveSecretFilesOut()
    {
        var checkouts = Path.Combine(_git.Cache, "private-checkouts");
        var cache = new GitSourceCache(_git.Cache) { CheckoutsDirectory = checkouts };
        var rev = await cache.ResolveAsync(Source(), 1);
        string dir;
        using (var checkout = cache.Checkout(Source(), rev.Commit))
        {
            dir = checkout.Directory;
            Assert.StartsWith(checkouts, dir);
            Assert.True(File.Exists(Path.Combine(dir, "compose/compose.yaml")));
            Assert.True(File.Exists(Path.Combine(dir, "compose/run.sh")));
        }
        Assert.False(Directory.Exists(dir));
        Assert.Empty(Directory.GetDirectories(checkouts));

        // The run tree: every file but the left-out ones; a tree already there (an older daemon's) loses them too.
        var full = cache.Materialize(_git.RemoteUrl, rev.Commit);
        Assert.True(File.Exists(Path.Combine(full, "compose/run.sh")));
        var run = cache.RunTree(_git.RemoteUrl, rev.Commit, new HashSet<string> { "compose/run.sh" });
        Assert.Equal(full, run);
        Assert.False(File.Exists(Path.Combine(run, "compose/run.sh")));
        Assert.True(File.Exists(Path.Combine(run, "compose/compose.yaml")));
        var fresh = cache.RunTree(_git.RemoteUrl, _git.First, new HashSet<string> { "compose/compose.yaml" });
        Assert.False(File.Exists(Path.Combine(fresh, "compose/compose.yaml")));
        // A run tree just used is kept by Prune for a grace period, whatever the keep list says.
        Assert.Equal(0, cache.Prune([]));

        cache.RemoveMirror(_git.RemoteUrl);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_git.Cache, "git")));
    }

    [Fact]
    public async Task HistoryFollowsFirstParentsAndIsAncestorOrdersCommits()
    {
        var cache = new GitSourceCache(_git.Cache);
        var pushed = _git.PushNewCommit("Third commit");
        await cache.ResolveAsync(Source(), 1);
        var history = cache.History(_git.RemoteUrl, pushed, 10);
        Assert.Equal([pushed, _git.Second, _git.First], history.Select(h => h.Commit));
        Assert.Equal(["Third commit", "Second commit", "First commit"], history.Select(h => h.Subject));
        Assert.Equal(2, cache.History(_git.RemoteUrl, pushed, 2).Count);

        Assert.True(cache.IsAncestor(_git.RemoteUrl, _git.First, pushed));
        Assert.True(cache.IsAncestor(_git.RemoteUrl, pushed, pushed));
        Assert.False(cache.IsAncestor(_git.RemoteUrl, pushed, _git.First));
        // Diverged: the feature branch is neither before nor after the new main commit.
        Assert.False(cache.IsAncestor(_git.RemoteUrl, _git.Feature, pushed));
        Assert.False(cache.IsAncestor(_git.RemoteUrl, pushed, _git.Feature));

        var described = cache.Describe(Source(), _git.First[..10]);
        Assert.Equal(_git.First, described.Commit);
        Assert.Equal("First commit", described.Subject);
    }

    [Fact]
    public async Task SshUsesTheSystemClientWithTheConfiguredKeyAndKnownHosts()
    {
        // A stand-in for ssh: records its arguments, then runs the requested git command locally on the path,
        // which is what sshd would do on the far side.
        var log = Path.Combine(_git.Root, "ssh.log");
        var fake = Path.Combine(_git.Root, "fake-ssh");
        File.WriteAllText(fake, $"#!/bin/sh\necho \"$@\" >> '{log}'\neval remote=\\${{$#}}\nunset GIT_DIR\nexec sh -c \"$remote\"\n");
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        var key = Path.Combine(_git.Root, "id_ed25519");
        var knownHosts = Path.Combine(_git.Root, "known hosts");
        File.WriteAllText(key, "not a real key");
        File.WriteAllText(knownHosts, "");
        var cache = new GitSourceCache(_git.Cache) { SshProgram = fake };
        var source = new AppSource(SourceKind.Git, "git@git.example.invalid:" + _git.Remote, "feature", null, null, new SourceAuth(null, null, key, knownHosts));
        SourceRevision rev;
        try { rev = await cache.ResolveAsync(source, 1); }
        catch (SourceException e) { throw new InvalidOperationException("ssh stand-in saw: " + (File.Exists(log) ? File.ReadAllText(log) : "(not run)"), e); }
        Assert.Equal(_git.Feature, rev.Commit);
        var args = File.ReadAllText(log);
        Assert.Contains("-i " + key, args);
        Assert.Contains("IdentitiesOnly=yes", args);
        Assert.Contains("UserKnownHostsFile=" + knownHosts, args);
        Assert.Contains("StrictHostKeyChecking=yes", args);
        Assert.Contains("git@git.example.invalid git-upload-pack '" + _git.Remote + "'", args);
    }

    [Fact]
    public async Task AFailingSshClientIsATypedErrorNamingTheUrl()
    {
        var fake = Path.Combine(_git.Root, "failing-ssh");
        File.WriteAllText(fake, "#!/bin/sh\necho 'Host key verification failed.' >&2\nexit 255\n");
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        var cache = new GitSourceCache(_git.Cache) { SshProgram = fake };
        var url = "ssh://git@git.example.invalid/acme/pets.git";
        var e = await Assert.ThrowsAsync<SourceException>(() => cache.ResolveAsync(new AppSource(SourceKind.Git, url, "main", null, null, null), 1));
        Assert.Contains(url, e.Message);
        Assert.True(e.Kind is SourceErrorKind.Network or SourceErrorKind.Auth, e.Message);
    }

    [Fact]
    public void UrlsNormaliseToOneRepositoryKey()
    {
        string[] same = ["https://github.com/Acme/pets.git", "https://user:tok@github.com/acme/pets", "git@github.com:acme/pets.git",
            "ssh://git@github.com:22/acme/pets/", "git://github.com/acme/pets.git", "http://github.com/acme/pets/"];
        foreach (var u in same) Assert.Equal("github.com/acme/pets", RepoUrl.Parse(u).Key);
        Assert.NotEqual(RepoUrl.Parse("https://github.com/acme/pets").Key, RepoUrl.Parse("https://github.com/acme/pets2").Key);
        Assert.Equal(RepoUrl.Parse("/srv/git/pets.git").Key, RepoUrl.Parse("file:///srv/git/pets.git/").Key);
        Assert.Equal(RepoScheme.Ssh, RepoUrl.Parse("git@host:path/x").Scheme);
        Assert.Equal(RepoScheme.Local, RepoUrl.Parse("./relative/repo", "/base").Scheme);
        Assert.Equal("/base/relative/repo", RepoUrl.Parse("./relative/repo", "/base").Path);
        Assert.Equal("https://user@host/x.git", RepoUrl.Redact("https://user:s3cret@host/x.git"));
        Assert.False(RepoUrl.TryParse("ftp://host/x", out _));
    }
}
