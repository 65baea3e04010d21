using System.Diagnostics;
using System.Text.Json;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Reconcile.Jobs;
using GitOps.Reconciler.Rendering;
using GitOps.Reconciler.Sources;
using GitOps.Runtime;
using GitOps.Runtime.Events;
using GitOps.Runtime.State;

namespace GitOps.Reconciler.Reconcile;

/// <summary>Loading a revision: checkout, manifests under the policy, compile, the run tree; and the unified diff.</summary>
internal sealed partial class AppController
{
    sealed record Loaded(string Revision, string? Subject, DesiredApp? Desired, IReadOnlyList<string> Errors, Model.Application? Model)
    {
        public int PolicyErrors { get; init; }

        /// <summary>Taken from the revision cache: nothing was checked out, loaded or compiled.</summary>
        public bool Cached { get; init; }
    }

    /// <summary>A compiled (or rejected) revision as the cache keeps it, with the files its run tree leaves out.</summary>
    sealed record CachedLoad(Loaded Loaded, IReadOnlySet<string>? LeaveOut);

    readonly Caching.RevisionCache<CachedLoad> _revisions = new() { Enabled = Environment.GetEnvironmentVariable("GITOPS_REVISION_CACHE") != "0" };

    /// <param name="forApply">Whether the revision may be applied: then its run tree (what containers bind and builds read,
    /// without secret files) is written, and the desired state points there. A dry run needs no tree after loading.</param>
    async Task<Loaded> LoadAsync(long cycle, string? revision, bool forApply, CancellationToken ct)
    {
        string rev;
        string? subject = null;
        using (Executor.Source.StartActivity("fetch"))
        {
            if (Spec.Source.Kind == SourceKind.Local)
            {
                rev = "local-" + LocalDigest(PathsIn(Spec.Source.Repo));
            }
            else
            {
                var head = await _sources.ResolveAsync(Spec.Source, cycle, ct);
                Status = Status with { LatestRevision = head.Commit };
                // A rollback pins the app until the source moves on; then the pin ends by itself.
                if (Status.PinnedRevision is { } pin && revision is null)
                {
                    if (Status.PinnedAtHead != head.Commit) { Status = Status with { PinnedRevision = null, PinnedAtHead = null }; _log.Write(LogEvents.PinReleased, "a newer commit arrived: rollback pin released"); }
                    else revision = pin;
                }
                var target = revision is null ? head : _sources.Describe(Spec.Source, revision);
                rev = target.Commit;
                subject = target.Subject;
            }
        }
        var (policy, policyError) = _policy(Spec);
        if (policy is null) throw new InvalidOperationException("policy: " + policyError);
        var key = Caching.RevisionKey.Of(rev, Spec, policy, forApply);
        if (_revisions.TryGet(key) is { } cached)
        {
            // Same revision, definition, policy and input files: the compile would give the same answer. Only the run
            // tree is made sure of (a prune may have taken a tree no status named yet).
            if (cached.LeaveOut is { } leaveOut && cached.Loaded.Desired is not null)
            {
                _sources.RunTree(Spec.Source.Repo, rev, leaveOut);
                lock (_treeRevisions) _treeRevisions.Add(rev);
            }
            return cached.Loaded with { Subject = subject ?? cached.Loaded.Subject, Cached = true };
        }
        var started = DateTime.UtcNow;
        // The checkout (secret files and all) lives only while the revision is loaded and compiled.
        using var checkout = Spec.Source.Kind == SourceKind.Local ? null : _sources.Checkout(Spec.Source, rev);
        var dir = checkout?.Directory ?? Spec.Source.Repo;
        var (loaded, inputs, leaveOutFiles) = Compile(rev, subject, dir, checkout is not null && forApply, policy);
        _revisions.Put(key, new CachedLoad(loaded, leaveOutFiles), inputs, started);
        return loaded;
    }

    /// <summary>Load, validate and compile the revision in <paramref name="dir"/>; with <paramref name="runTree"/>, point it at its run tree.</summary>
    (Loaded Loaded, IReadOnlyList<string> Inputs, IReadOnlySet<string>? LeaveOut) Compile(string rev, string? subject, string dir, bool runTree, Policy.SecurityPolicy policy)
    {
        var checkoutDir = Spec.Source.Kind == SourceKind.Local ? null : dir;
        using var _ = Executor.Source.StartActivity("load");
        var result = LoadManifests(dir, policy);
        var errors = result.Diagnostics.Where(d => d.Severity == Diagnostics.Severity.Error)
            .Select(d => (d with { File = Relative(dir, d.File) }).ToString()).ToList();
        if (!result.Succeeded || errors.Count > 0)
            return (new Loaded(rev, subject, null, errors, null)
            {
                PolicyErrors = result.Errors.Count(d => d.Code.StartsWith("policy.", StringComparison.Ordinal)),
            }, Caching.RevisionInputs.Of(result, null, checkoutDir), null);
        // Relative binds, build contexts and config files resolve against the application's directory in this
        // revision's tree, as Compose resolves them against the project directory.
        var first = Path.GetFullPath(PathsIn(dir).First());
        var baseDir = Directory.Exists(first) ? first : Path.GetDirectoryName(first)!;
        var desired = Compiler.Compile(Spec.Name, Spec.ProjectName, rev, result.Application!, baseDir, TreeRoot(dir, policy));
        var inputs = Caching.RevisionInputs.Of(result, desired, checkoutDir);
        if (Spec.Overrides?.Scale is { Count: > 0 } scale)
        {
            desired = desired with { Services = desired.Services.Select(s => scale.TryGetValue(s.Name, out var n) ? s with { Replicas = n } : s).ToList() };
            // --scale happens after the load: whether that many replicas can publish their ports is checked here, still before anything is applied.
            var portErrors = desired.Services.Where(s => scale.ContainsKey(s.Name))
                .SelectMany(s => Validation.ReplicaPortCheck.Check(s.Spec, s.Replicas, result.Sources))
                .Select(d => (d with { File = Relative(dir, d.File) }).ToString()).ToList();
            if (portErrors.Count > 0) return (new Loaded(rev, subject, null, portErrors, null), inputs, null);
        }
        if (!runTree) return (new Loaded(rev, subject, desired, [], result.Application), inputs, null);
        // Containers bind files of the revision and builds read its contexts after the checkout is gone: they get the
        // run tree, the same files at the same relative places, less the secret files. Bind sources were resolved
        // inside the checkout (no symlink left in them), so the same relative path names the same file there.
        var secrets = SecretFiles.Find(result, desired, dir, baseDir);
        var tree = _sources.RunTree(Spec.Source.Repo, rev, secrets.LeaveOut);
        lock (_treeRevisions) _treeRevisions.Add(rev);
        string InTree(string path) => Path.GetFullPath(Path.Combine(tree, Path.GetRelativePath(dir, path)));
        desired = desired with
        {
            BaseDirectory = InTree(baseDir),
            BindSources = desired.BindSources.ToDictionary(kv => kv.Key, kv => kv.Value.StartsWith(dir + "/", StringComparison.Ordinal) ? InTree(kv.Value) : kv.Value, StringComparer.Ordinal),
            Warnings = [.. desired.Warnings, .. secrets.Warnings],
        };
        return (new Loaded(rev, subject, desired, [], result.Application), inputs, secrets.LeaveOut);
    }

    /// <summary>The application's paths (the root when none) inside <paramref name="dir"/>.</summary>
    IEnumerable<string> PathsIn(string dir) => (Spec.Paths.Count == 0 ? ["."] : Spec.Paths).Select(p => Path.Combine(dir, p));

    LoadResult LoadManifests(string dir, Policy.SecurityPolicy policy) => ManifestLoader.Load(PathsIn(dir).Select(Path.GetFullPath).ToList(), new LoadOptions
    {
        Name = Spec.ProjectName,
        Format = Spec.Overrides?.Format ?? ManifestFormat.Auto,
        Root = TreeRoot(dir, policy),
        Policy = policy,
    });

    /// <summary>
    /// Where the files a revision names must stay: a Git revision's tree always; an operator's local directory only
    /// under a policy that does not open the whole host anyway (compose up keeps Docker's `../` freedom).
    /// </summary>
    string? TreeRoot(string dir, Policy.SecurityPolicy policy) =>
        Spec.Source.Kind == SourceKind.Git || !policy.AllowsAllHostPaths ? dir : null;

    static string Relative(string root, string file) =>
        file.StartsWith(root, StringComparison.Ordinal) ? Path.GetRelativePath(root, file) : file;

    /// <summary>Local sources have no commits: a digest of the manifest files stands in for the revision.</summary>
    static string LocalDigest(IEnumerable<string> paths)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var p in paths)
        {
            var files = File.Exists(p) ? [p] : Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray() : [];
            foreach (var f in files)
            {
                sha.AppendData(System.Text.Encoding.UTF8.GetBytes(f));
                sha.AppendData(File.ReadAllBytes(f));
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }

    string UnifiedDiff(Loaded loaded)
    {
        var actualModel = AppliedModel();
        var sb = new System.Text.StringBuilder();
        var names = loaded.Model!.Services.Keys.Union(actualModel?.Services.Keys ?? []).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var before = actualModel is not null && actualModel.Services.TryGetValue(name, out var a) ? YamlOutput.Write(DesiredStateWriter.Service(a, withHashes: false)) : "";
            var after = loaded.Model.Services.TryGetValue(name, out var b) ? YamlOutput.Write(DesiredStateWriter.Service(b, withHashes: false)) : "";
            if (before != after) sb.Append(TextDiff.Unified($"a/services/{name}", $"b/services/{name}", before, after));
        }
        return sb.ToString();
    }

    Model.Application? _appliedModel;
    string? _appliedModelRevision;

    /// <summary>The model of the applied revision, reloaded from the source when needed (for diffs).</summary>
    Model.Application? AppliedModel()
    {
        if (Status.Revision is null) return null;
        if (_appliedModelRevision == Status.Revision) return _appliedModel;
        try
        {
            if (Spec.Source.Kind == SourceKind.Local) return null;
            using var checkout = _sources.Checkout(Spec.Source, Status.Revision);
            // The applied revision passed its policy once; the diff only needs its model.
            _appliedModel = LoadManifests(checkout.Directory, _policy(Spec).Policy ?? Policy.SecurityPolicy.Unrestricted).Application;
            _appliedModelRevision = Status.Revision;
            return _appliedModel;
        }
        catch (Exception e) when (e is SourceException or IOException) { return null; }
    }
}
