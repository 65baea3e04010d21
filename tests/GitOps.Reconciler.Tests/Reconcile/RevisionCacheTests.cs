using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Policy;
using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Reconcile.Caching;

namespace GitOps.Reconciler.Tests.Reconcile;

/// <summary>
/// The revision cache reuses a compile only while nothing that can change its result changed: each kind of input a
/// manifest reads (env_file, .env, secret and config files, bind sources, build contexts, extends targets), the
/// revision, the application's definition and its policy. The load and compile are the reconciler's own
/// (<see cref="ManifestLoader"/>, <see cref="Compiler"/>, <see cref="RevisionInputs"/>), as for a local source.
/// </summary>
public sealed class RevisionCacheTests : IDisposable
{
    readonly string _root = Load.TempDir();
    readonly RevisionCache<DesiredApp> _cache = new();
    static readonly AppSpec Spec = new("web", new AppSource(SourceKind.Local, "/srv/app", null, null, null, null), ["app"],
        AppSchedule.Default, new AppPolicy(Prune: true, PruneVolumes: false, SelfHeal: false, DriftMode.Report), null);

    public RevisionCacheTests()
    {
        Write("app/compose.yaml", """
            services:
              web:
                image: bb
                env_file: [../shared.env]
                volumes: ["./static:/static"]
                build: ./ctx
                secrets: [token]
                configs: [conf]
              worker:
                extends: { file: ../base.yaml, service: base }
            secrets:
              token:
                file: ../secret.txt
            configs:
              conf:
                file: ./conf.ini
            """);
        Write("app/.env", "TAG=1\n");
        Write("shared.env", "MODE=a\n");
        Write("secret.txt", "s3cret");
        Write("app/conf.ini", "x=1\n");
        Write("app/static/index.html", "hi");
        Write("app/ctx/Dockerfile", "FROM bb\n");
        Write("base.yaml", "services:\n  base:\n    image: bb\n");
        Age();
    }

    void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>Moves every timestamp an hour back: what a file edited long before the load looks like (a fresh one is "racy").</summary>
    void Age()
    {
        var past = DateTime.UtcNow.AddHours(-1);
        foreach (var entry in new DirectoryInfo(_root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)) entry.LastWriteTimeUtc = past;
    }

    RevisionKey Key(string revision = "local-1", AppSpec? spec = null, SecurityPolicy? policy = null) =>
        RevisionKey.Of(revision, spec ?? Spec, policy ?? SecurityPolicy.Unrestricted, forApply: true);

    /// <summary>Loads and compiles the app as the controller does, and caches the result under <paramref name="key"/>.</summary>
    DesiredApp CompileInto(RevisionKey key, string? checkout = null)
    {
        var started = DateTime.UtcNow;
        var dir = Path.Combine(_root, "app");
        var load = ManifestLoader.Load([dir], new LoadOptions { Name = "web", Policy = SecurityPolicy.Unrestricted });
        Load.AssertValid(load, "fixture");
        var desired = Compiler.Compile("web", "web", key.Revision, load.Application!, dir, null);
        _cache.Put(key, desired, RevisionInputs.Of(load, desired, checkout), started);
        return desired;
    }

    [Fact]
    public void Nothing_changed_reuses_the_compiled_state()
    {
        var desired = CompileInto(Key());
        Assert.Same(desired, _cache.TryGet(Key()));
        Assert.Same(desired, _cache.TryGet(Key()));
        Assert.Equal((2L, 0L), (_cache.Hits, _cache.Misses));
    }

    [Theory]
    [InlineData("shared.env", "MODE=b\n")] // env_file outside the manifest paths
    [InlineData("app/.env", "TAG=2\n")] // the project's .env
    [InlineData("secret.txt", "other")] // a secret's file:
    [InlineData("app/conf.ini", "x=2\n")] // a config's file:
    [InlineData("app/static/index.html", "bye")] // a file inside a bound directory
    [InlineData("app/static/new.css", "body{}")] // a file added to a bound directory
    [InlineData("app/ctx/main.go", "package main")] // a file added to a build context
    [InlineData("base.yaml", "services:\n  base:\n    image: bb:2\n")] // an extends target
    public void A_changed_input_file_invalidates(string file, string content)
    {
        CompileInto(Key());
        Write(file, content);
        Assert.Null(_cache.TryGet(Key()));
    }

    [Fact]
    public void A_removed_input_file_invalidates()
    {
        CompileInto(Key());
        File.Delete(Path.Combine(_root, "secret.txt"));
        Assert.Null(_cache.TryGet(Key()));
    }

    [Fact]
    public void A_bound_file_replaced_by_a_symlink_invalidates()
    {
        CompileInto(Key());
        var page = Path.Combine(_root, "app/static/index.html");
        File.Delete(page);
        File.CreateSymbolicLink(page, "/etc/hostname");
        Assert.Null(_cache.TryGet(Key()));
    }

    [Fact]
    public void A_new_revision_a_changed_definition_or_another_policy_misses()
    {
        CompileInto(Key());
        Assert.Null(_cache.TryGet(Key(revision: "local-2")));
        Assert.Null(_cache.TryGet(Key(spec: Spec with { Paths = ["app", "extra"] })));
        Assert.Null(_cache.TryGet(Key(spec: Spec with { Overrides = new AppOverrides(ManifestFormat.Auto, new Dictionary<string, int> { ["web"] = 3 }) })));
        Assert.Null(_cache.TryGet(Key(spec: Spec with { SecurityPolicy = "baseline" })));
        Assert.Null(_cache.TryGet(Key(policy: SecurityPolicy.Restricted)));
        Assert.NotNull(_cache.TryGet(Key()));
    }

    [Fact]
    public void A_dry_run_and_an_apply_are_kept_apart()
    {
        CompileInto(Key());
        Assert.Null(_cache.TryGet(RevisionKey.Of("local-1", Spec, SecurityPolicy.Unrestricted, forApply: false)));
        Assert.NotNull(_cache.TryGet(Key()));
    }

    [Fact]
    public void A_file_edited_while_the_revision_loads_is_not_trusted()
    {
        Write("shared.env", "MODE=c\n"); // modified just now: a second edit could land within the same timestamp tick
        CompileInto(Key());
        Assert.Null(_cache.TryGet(Key()));
    }

    [Fact]
    public void Inside_a_git_checkout_only_files_outside_it_are_watched()
    {
        // As for a Git revision checked out in app/: its own files are fixed by the commit; the secret's host file is not.
        var load = ManifestLoader.Load([Path.Combine(_root, "app")], new LoadOptions { Name = "web", Policy = SecurityPolicy.Unrestricted });
        var inputs = RevisionInputs.Of(load, null, Path.Combine(_root, "app"));
        Assert.Contains(Path.Combine(_root, "secret.txt"), inputs);
        Assert.Contains(Path.Combine(_root, "shared.env"), inputs);
        Assert.DoesNotContain(inputs, p => p.StartsWith(Path.Combine(_root, "app") + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rejected_revision_is_cached_as_rejected_and_its_inputs_still_invalidate()
    {
        Write("app/compose.yaml", "services:\n  web:\n    image: bb\n    env_file: [../shared.env]\n    ports: [\"not-a-port\"]\n");
        Age();
        var started = DateTime.UtcNow;
        var load = ManifestLoader.Load([Path.Combine(_root, "app")], new LoadOptions { Name = "web", Policy = SecurityPolicy.Unrestricted });
        Assert.False(load.Succeeded);
        var rejected = new RevisionCache<LoadResult>();
        rejected.Put(Key(), load, RevisionInputs.Of(load, null, null), started);
        Assert.Same(load, rejected.TryGet(Key()));
        Write("shared.env", "MODE=fixed\n");
        Assert.Null(rejected.TryGet(Key()));
    }

    [Fact]
    public void A_disabled_cache_always_misses()
    {
        var off = new RevisionCache<string> { Enabled = false };
        off.Put(Key(), "x", [], DateTime.UtcNow.AddHours(-1));
        Assert.Null(off.TryGet(Key()));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
