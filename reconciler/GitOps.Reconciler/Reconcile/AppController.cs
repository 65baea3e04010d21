using System.Diagnostics;
using System.Text.Json;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Rendering;
using GitOps.Reconciler.Sources;
using GitOps.Runtime;
using GitOps.Runtime.Events;
using GitOps.Runtime.State;

namespace GitOps.Reconciler.Reconcile;

/// <summary>Why a sync ran: shown in history and on traces.</summary>
internal enum SyncTrigger { Poll, Webhook, Manual, Rollback, Resume, Heal, Startup }

/// <summary>What a dry run found: the plan and a unified diff per changed service (secrets only as digests).</summary>
internal sealed record DiffResult(string Revision, Plan Plan, string UnifiedDiff, IReadOnlyList<string> Errors);

/// <summary>
/// Keeps one application converged: resolve its revision, load and validate, plan, apply, then watch for
/// drift until the next revision. One sync or drift check at a time per application; different
/// applications never wait for each other, and one broken application never stops another.
/// </summary>
internal sealed class AppController : IDisposable
{
    readonly Engine _engine;
    readonly GitSourceCache _sources;
    readonly string _dir;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Journal _journal;
    readonly AppLog _log;
    readonly Dictionary<string, DateTimeOffset> _driftSince = new(StringComparer.Ordinal);
    DesiredApp? _applied;
    readonly Func<AppSpec, (Policy.SecurityPolicy? Policy, string? Error)> _policy;

    /// <summary>The policy this application's revisions are judged by (resolved at each sync: a named policy may change with the config).</summary>
    public Policy.SecurityPolicy? SecurityPolicy => _policy(Spec).Policy;

    public AppController(Engine engine, GitSourceCache sources, string dir, AppSpec spec, AppLog log, Func<AppSpec, (Policy.SecurityPolicy? Policy, string? Error)>? policy = null)
    {
        _policy = policy ?? (s => (Policy.PolicyCatalog.Presets.Resolve(s, "cli", out var e), e));
        _engine = engine;
        _sources = sources;
        _dir = dir;
        Spec = spec;
        _log = log;
        Directory.CreateDirectory(dir);
        _journal = new Journal(Path.Combine(dir, "journal.json"));
        Status = Read(Path.Combine(dir, "status.json"), AppJson.Default.AppStatus) ?? new AppStatus { Name = spec.Name };
        Status = Status with { Source = Describe(spec) };
    }

    public AppSpec Spec { get; private set; }
    public AppStatus Status { get; private set; }
    public DriftReport? Drift { get; private set; }

    static string Describe(AppSpec s) => s.Source.Kind == SourceKind.Local ? $"{s.Source.Repo} (local files)" : $"{s.Source.Repo} {s.Source.Describe()}";

    public void Update(AppSpec spec)
    {
        Spec = spec;
        Status = Status with { Source = Describe(spec) };
    }

    /// <summary>Resolves, loads and (unless nothing changed and no heal is due) applies. Never throws for app-level problems: they land in status.</summary>
    public async Task SyncAsync(SyncTrigger trigger, long cycle, string? revision, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try { await SyncLockedAsync(trigger, cycle, revision, ct); }
        finally { _gate.Release(); }
    }

    async Task SyncLockedAsync(SyncTrigger trigger, long cycle, string? revision, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        using var activity = Executor.Source.StartActivity("reconcile");
        activity?.SetTag("gitops.app", Spec.Name);
        activity?.SetTag("gitops.trigger", trigger.ToString());
        Status = Status with { LastAttempt = DateTimeOffset.UtcNow };
        Loaded loaded;
        try
        {
            loaded = await LoadAsync(cycle, revision, forApply: true, ct);
        }
        catch (Exception e) when (e is SourceException or IOException or InvalidOperationException)
        {
            Fail(SyncStates.Failed, $"source: {e.Message}", []);
            Metrics.ApplyFailures.Add(1, new KeyValuePair<string, object?>("app", Spec.Name));
            return;
        }
        activity?.SetTag("gitops.revision", loaded.Revision);
        if (loaded.Desired is null)
        {
            // Rejected as a whole: the last good state keeps running.
            var byPolicy = loaded.PolicyErrors > 0 ? $", {loaded.PolicyErrors} by policy {SecurityPolicy?.Name}" : "";
            Fail(SyncStates.Failed, $"revision {Short(loaded.Revision)} rejected: {loaded.Errors.Count} error(s){byPolicy}", loaded.Errors);
            Publish("rejected", loaded.Revision);
            return;
        }
        var desired = loaded.Desired;
        Plan plan;
        var actual = ActualApp.Read(_engine, Spec.Name);
        using (Executor.Source.StartActivity("diff"))
            plan = Planner.Plan(desired, actual, Spec.Policy);

        var newRevision = desired.Revision != Status.Revision;
        // A daemon start is not a request to heal: a report-only app applies at start only what is new in Git or
        // what the journal says was cut short; drift found since is reported, never fixed behind the user's back.
        var mayApply = newRevision || trigger is SyncTrigger.Manual or SyncTrigger.Rollback or SyncTrigger.Resume || Spec.Policy.Heals || _journal.Pending() is not null;
        if (plan.IsEmpty || !mayApply)
        {
            _applied = desired;
            Status = Status with { Revision = desired.Revision, Subject = loaded.Subject, Errors = [], Message = plan.IsEmpty ? null : Status.Message };
            CheckDriftLocked(desired, plan, actual);
            Save();
            return;
        }
        Status = Status with { Sync = SyncStates.Syncing, Message = $"applying {Short(desired.Revision)}: {plan.Steps.Count} step(s)" };
        var engineTime = Stopwatch.StartNew();
        try
        {
            await new Executor(_engine, _journal, _log).ApplyAsync(desired, plan, ct);
        }
        catch (ApplyException e)
        {
            _applied = desired;
            Fail(SyncStates.Failed, e.Message, []);
            AddHistory(desired.Revision, loaded.Subject, "failed: " + e.Message, plan.Steps.Count, trigger);
            Metrics.ApplyFailures.Add(1, new KeyValuePair<string, object?>("app", Spec.Name));
            Publish("sync-failed", desired.Revision);
            return;
        }
        engineTime.Stop();
        _applied = desired;
        _driftSince.Clear();
        Status = Status with
        {
            Revision = desired.Revision, Subject = loaded.Subject, Sync = SyncStates.Synced, Health = "Healthy", Errors = [], DriftCount = 0,
            Message = plan.Warnings.Count > 0 ? string.Join("; ", plan.Warnings) : null, LastSync = DateTimeOffset.UtcNow,
            LastDurationMs = total.Elapsed.TotalMilliseconds, LastEngineMs = engineTime.Elapsed.TotalMilliseconds,
        };
        AddHistory(desired.Revision, loaded.Subject, "applied", plan.Steps.Count, trigger);
        Metrics.ReconcileDuration.Record(total.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("app", Spec.Name));
        Metrics.SetRevision(Spec.Name, desired.Revision);
        Publish("synced", desired.Revision);
        _log.Write(LogEvents.Synced, $"synced {Short(desired.Revision)} in {total.Elapsed.TotalMilliseconds:0} ms ({plan.Steps.Count} step(s), engine {engineTime.Elapsed.TotalMilliseconds:0} ms)");
        CheckDrift(desired);
        Save();
    }

    /// <summary>The dry run behind <c>gitops diff</c>: what a sync would do now, nothing changed.</summary>
    public async Task<DiffResult> DiffAsync(long cycle, string? revision, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var loaded = await LoadAsync(cycle, revision, forApply: false, ct);
            if (loaded.Desired is null) return new DiffResult(loaded.Revision, new Plan(loaded.Revision, [], []), "", loaded.Errors);
            var plan = Planner.Plan(loaded.Desired, ActualApp.Read(_engine, Spec.Name), Spec.Policy);
            return new DiffResult(loaded.Revision, plan, UnifiedDiff(loaded), []);
        }
        finally { _gate.Release(); }
    }

    /// <summary>Compares actual with the last applied state; heals when the policy says so.</summary>
    public async Task CheckDriftAsync(CancellationToken ct)
    {
        if (!await _gate.WaitAsync(0, ct)) return; // a sync is running; it checks drift when done
        try
        {
            if (_applied is null) return;
            var actual = ActualApp.Read(_engine, Spec.Name);
            var plan = Planner.Plan(_applied, actual, Spec.Policy);
            CheckDriftLocked(_applied, plan, actual);
            if (!plan.IsEmpty && Spec.Policy.Heals && !Status.Errors.Any())
            {
                _log.Write(LogEvents.Healing, $"healing {plan.Steps.Count} drift step(s)");
                try
                {
                    await new Executor(_engine, _journal, _log).ApplyAsync(_applied, plan, ct);
                    Publish("healed", _applied.Revision);
                    CheckDrift(_applied);
                }
                catch (ApplyException e) { Status = Status with { Message = "heal failed: " + e.Message }; }
            }
            Save();
        }
        finally { _gate.Release(); }
    }

    /// <summary>Drift after an apply: read actual state once more, plan, report.</summary>
    void CheckDrift(DesiredApp desired)
    {
        var actual = ActualApp.Read(_engine, Spec.Name);
        CheckDriftLocked(desired, Planner.Plan(desired, actual, Spec.Policy), actual);
    }

    void CheckDriftLocked(DesiredApp desired, Plan plan, ActualApp actual)
    {
        var now = DateTimeOffset.UtcNow;
        var items = DriftFinder.Items(Spec.ProjectName, plan, actual, key => _driftSince.TryGetValue(key, out var t) ? t : _driftSince[key] = now);
        foreach (var stale in _driftSince.Keys.Except(items.Select(i => i.Kind + "|" + i.Resource)).ToList()) _driftSince.Remove(stale);
        var previous = Drift?.Items.Count ?? 0;
        Drift = new DriftReport(Spec.Name, desired.Revision, now, Spec.Policy.Heals ? "heal" : "report", items);
        Metrics.SetDrift(Spec.Name, items.Count);
        if (items.Count != previous)
            foreach (var i in items.Where(i => i.Since == now))
            {
                Publish("drift", desired.Revision, ("resource", i.Resource), ("kind", i.Kind), ("expected", i.Expected), ("found", i.Found));
                _log.Write(LogEvents.DriftFound, $"{i.Kind} {i.Resource}: expected {i.Expected}, found {i.Found}");
            }
        Status = Status with
        {
            DriftCount = items.Count,
            Sync = Status.Errors.Count > 0 ? SyncStates.Failed : items.Count > 0 ? SyncStates.OutOfSync : SyncStates.Synced,
            Health = items.Any(i => i.Kind is "missing" or "stopped") ? "Degraded" : "Healthy",
        };
        Write(Path.Combine(_dir, "drift.json"), Drift, AppJson.Default.DriftReport);
    }

    sealed record Loaded(string Revision, string? Subject, DesiredApp? Desired, IReadOnlyList<string> Errors, Model.Application? Model)
    {
        public int PolicyErrors { get; init; }
    }

    /// <param name="forApply">Whether the revision may be applied: then its run tree (what containers bind and builds read,
    /// without secret files) is written, and the desired state points there. A dry run needs no tree after loading.</param>
    async Task<Loaded> LoadAsync(long cycle, string? revision, bool forApply, CancellationToken ct)
    {
        string rev;
        string? subject = null;
        SourceCheckout? checkout = null;
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
                checkout = _sources.Checkout(Spec.Source, rev);
            }
        }
        // The checkout (secret files and all) lives only while the revision is loaded and compiled.
        using (checkout)
        {
            var dir = checkout?.Directory ?? Spec.Source.Repo;
            using var _ = Executor.Source.StartActivity("load");
            var (policy, policyError) = _policy(Spec);
            if (policy is null) throw new InvalidOperationException("policy: " + policyError);
            var result = LoadManifests(dir, policy);
            var errors = result.Diagnostics.Where(d => d.Severity == Diagnostics.Severity.Error)
                .Select(d => (d with { File = Relative(dir, d.File) }).ToString()).ToList();
            if (!result.Succeeded || errors.Count > 0)
                return new Loaded(rev, subject, null, errors, null)
                {
                    PolicyErrors = result.Errors.Count(d => d.Code.StartsWith("policy.", StringComparison.Ordinal)),
                };
            // Relative binds, build contexts and config files resolve against the application's directory in this
            // revision's tree, as Compose resolves them against the project directory.
            var first = Path.GetFullPath(PathsIn(dir).First());
            var baseDir = Directory.Exists(first) ? first : Path.GetDirectoryName(first)!;
            var desired = Compiler.Compile(Spec.Name, Spec.ProjectName, rev, result.Application!, baseDir, TreeRoot(dir, policy));
            if (Spec.Overrides?.Scale is { Count: > 0 } scale)
                desired = desired with { Services = desired.Services.Select(s => scale.TryGetValue(s.Name, out var n) ? s with { Replicas = n } : s).ToList() };
            if (checkout is not null && forApply)
            {
                // Containers bind files of the revision and builds read its contexts after the checkout is gone: they
                // get the run tree, the same files at the same relative places, less the secret files. Bind sources were
                // resolved inside the checkout (no symlink left in them), so the same relative path names the same file there.
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
            }
            return new Loaded(rev, subject, desired, [], result.Application);
        }
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

    /// <summary>Marks the application failed without a sync (it could not even be scheduled): status says why.</summary>
    public void Reject(string message)
    {
        Status = Status with { Sync = SyncStates.Failed, Message = message };
        try { Save(); } catch (IOException) { /* the status in memory still says it */ }
    }

    readonly HashSet<string> _treeRevisions = new(StringComparer.Ordinal);

    /// <summary>Every revision this application wrote a run tree for in this daemon's life.</summary>
    public IReadOnlyList<string> TreeRevisions
    {
        get { lock (_treeRevisions) return _treeRevisions.ToList(); }
    }

    /// <summary>The revisions whose run trees this application's containers may use: the applied one and the last one applied to.</summary>
    public IEnumerable<string> Revisions => new[] { Status.Revision, _applied?.Revision }.OfType<string>();

    public void Pin(string revision, string head) => Status = Status with { PinnedRevision = revision, PinnedAtHead = head };

    public IReadOnlyList<HistoryEntry> History() => Read(Path.Combine(_dir, "history.json"), AppJson.Default.ListHistoryEntry) ?? [];

    void AddHistory(string revision, string? subject, string result, int steps, SyncTrigger trigger)
    {
        var list = History().ToList();
        list.Insert(0, new HistoryEntry((list.Count == 0 ? 0 : list.Max(h => h.Id)) + 1, revision, subject, DateTimeOffset.UtcNow, result, steps, trigger.ToString().ToLowerInvariant()));
        if (list.Count > 100) list.RemoveRange(100, list.Count - 100);
        Write(Path.Combine(_dir, "history.json"), list, AppJson.Default.ListHistoryEntry);
    }

    void Fail(string sync, string message, IReadOnlyList<string> errors)
    {
        _log.Write(LogEvents.SyncFailed, message + (errors.Count > 0 ? "\n  " + string.Join("\n  ", errors) : ""));
        Status = Status with { Sync = sync, Message = message, Errors = errors };
        Save();
    }

    void Publish(string action, string revision, params (string Key, string Value)[] extra)
    {
        var attrs = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = Spec.Name, ["revision"] = revision };
        foreach (var (k, v) in extra) attrs[k] = v;
        _engine.Events.Publish(EngineEvent.Create("app", action, Spec.Name, attrs));
    }

    static string Short(string rev) => rev.Length > 12 && !rev.StartsWith("local-", StringComparison.Ordinal) ? rev[..7] : rev;

    void Save() => Write(Path.Combine(_dir, "status.json"), Status, AppJson.Default.AppStatus);

    public void Forget()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    static T? Read<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try { return AtomicFile.ReadJson(path, type); }
        catch (JsonException) { return null; }
    }

    // Status, history and drift are re-derived on restart, so the rename need not be durable at once.
    static void Write<T>(string path, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        AtomicFile.WriteJson(path, value, type, syncDirectory: false);

    public void Dispose() => _gate.Dispose();
}
