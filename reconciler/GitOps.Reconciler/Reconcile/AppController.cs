using System.Diagnostics;
using System.Text.Json;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Reconcile.Jobs;
using GitOps.Reconciler.Reconcile.Outcomes;
using GitOps.Reconciler.Rendering;
using GitOps.Reconciler.Sources;
using GitOps.Runtime.State;

namespace GitOps.Reconciler.Reconcile;

/// <summary>Why a sync ran: shown in history and on traces.</summary>
internal enum SyncTrigger { Poll, Webhook, Manual, Rollback, Resume, Heal, Startup, Retry }

/// <summary>What a dry run found: the plan and a unified diff per changed service (secrets only as digests).</summary>
internal sealed record DiffResult(string Revision, Plan Plan, string UnifiedDiff, IReadOnlyList<string> Errors);

/// <summary>
/// Keeps one application converged: resolve its revision, load and validate, plan, apply, then watch for
/// drift until the next revision. One sync or drift check at a time per application; different
/// applications never wait for each other, and one broken application never stops another.
/// </summary>
internal sealed partial class AppController : IDisposable
{
    readonly Ports.IEnginePort _engine;
    readonly GitSourceCache _sources;
    readonly string _dir;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Journal _journal;
    readonly JobRunner _jobs;
    readonly AppLog _log;
    readonly Dictionary<string, DateTimeOffset> _driftSince = new(StringComparer.Ordinal);
    DesiredApp? _applied;
    readonly Func<AppSpec, (Policy.SecurityPolicy? Policy, string? Error)> _policy;
    volatile bool _retired;
    volatile bool _jobTickOwed;

    /// <summary>The policy this application's revisions are judged by (resolved at each sync: a named policy may change with the config).</summary>
    public Policy.SecurityPolicy? SecurityPolicy => _policy(Spec).Policy;

    public AppController(Ports.IEnginePort engine, GitSourceCache sources, string dir, AppSpec spec, AppLog log, Func<AppSpec, (Policy.SecurityPolicy? Policy, string? Error)>? policy = null)
    {
        _policy = policy ?? (s => (Policy.PolicyCatalog.Presets.Resolve(s, "cli", out var e), e));
        _engine = engine;
        _sources = sources;
        _dir = dir;
        Spec = spec;
        _log = log;
        Directory.CreateDirectory(dir);
        _journal = new Journal(Path.Combine(dir, "journal.json"));
        _jobs = new JobRunner(engine, Path.Combine(dir, "jobs.json"), _journal, log);
        Status = Read(Path.Combine(dir, "status.json"), AppJson.Default.AppStatus) ?? new AppStatus { Name = spec.Name };
        Status = Status with { Source = Describe(spec) };
    }

    public AppSpec Spec { get; private set; }
    public AppStatus Status { get; private set; }
    public DriftReport? Drift { get; private set; }

    /// <summary>The application's Job and CronJob status.</summary>
    public JobStore Jobs => _jobs.Store;

    /// <summary>The desired state last applied (or found already applied), for views of Jobs, CronJobs and DaemonSets.</summary>
    public DesiredApp? Applied => _applied;

    /// <summary>
    /// The plan: services, routers and resources (<see cref="Planner"/>), then the Job runs the revision needs. An
    /// explicit sync also reruns one-off containers that failed.
    /// </summary>
    Plan PlanFor(DesiredApp desired, ActualApp actual, bool explicitSync = false) =>
        JobPlanner.Extend(Planner.Plan(desired, actual, Spec.Policy, rerunFailed: explicitSync), desired, _jobs.Store);

    /// <summary>
    /// One look of the job controller at the applied revision's Jobs and CronJobs. While a sync, diff or drift check
    /// holds the gate the look is owed, not dropped: the holder takes it before it lets go. Skipping it instead let
    /// an application polled every second starve its CronJobs on a busy machine, where each poll held the gate for
    /// most of that second.
    /// </summary>
    public async Task TickJobsAsync(CancellationToken ct)
    {
        if (!HasJobs) return;
        _jobTickOwed = true;
        if (!await _gate.WaitAsync(0, ct)) return;
        await ReleaseAsync(ct);
    }

    bool HasJobs => _applied is { } a && (a.Services.Any(s => s.Spec.RunsToCompletion) || _jobs.Store.Jobs.Count > 0 || _jobs.Store.CronJobs.Count > 0);

    /// <summary>Lets go of the gate, first taking the job tick that came while it was held.</summary>
    async Task ReleaseAsync(CancellationToken ct)
    {
        try
        {
            if (_jobTickOwed && !_retired && HasJobs && !ct.IsCancellationRequested)
            {
                _jobTickOwed = false;
                if (await _jobs.TickAsync(_applied!, ct))
                {
                    // A run started, finished or failed: health changes with it.
                    CheckDrift(_applied!);
                    Save();
                }
            }
        }
        // Taken on behalf of a sync or drift check, a failing tick must not become theirs: it is reported as the
        // job loop reports it, and the next tick tries again.
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException) { _log.Write(GitOps.Reconciler.Reconcile.Jobs.JobLogEvents.PodError, e.Message); }
        finally { _gate.Release(); }
    }

    static string Describe(AppSpec s) => s.Source.Kind == SourceKind.Local ? $"{s.Source.Repo} (local files)" : $"{s.Source.Repo} {s.Source.Describe()}";

    public void Update(AppSpec spec)
    {
        Spec = spec;
        Status = Status with { Source = Describe(spec) };
    }

    /// <summary>Resolves, loads and (unless nothing changed and no heal is due) applies. Never throws for app-level problems: they land in status.</summary>
    public async Task SyncAsync(SyncTrigger trigger, long cycle, string? revision, CancellationToken ct)
    {
        // A transient failure is retried on its back-off (ReconcilerHost requeues it): a poll in between would only
        // hammer an unreachable host at the poll's rate. Webhooks and gitops sync still go at once.
        if (trigger is SyncTrigger.Poll && BackingOff) return;
        await _gate.WaitAsync(ct);
        // Again inside the gate: a poll or retry that queued behind an attempt it would duplicate sees that attempt's new back-off.
        try { if (!_retired && !(trigger is SyncTrigger.Poll or SyncTrigger.Retry && BackingOff)) await SyncLockedAsync(trigger, cycle, revision, ct); }
        finally { await ReleaseAsync(ct); }
    }

    bool BackingOff => Status is { Outcome: ReconcileOutcome.Transient, NextAttempt: { } next } && next > DateTimeOffset.UtcNow;

    /// <summary>
    /// The application is being removed: waits for a sync, drift check or job tick under way to end, and keeps later
    /// ones from touching the engine — a heal or a CronJob run must not make containers a teardown has just removed.
    /// </summary>
    public async Task RetireAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        _retired = true;
        _gate.Release();
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
            Fail(OutcomeClassifier.OfLoadFailure(e), $"source: {e.Message}", []);
            Metrics.ApplyFailures.Add(1, new KeyValuePair<string, object?>("app", Spec.Name));
            return;
        }
        activity?.SetTag("gitops.revision", loaded.Revision);
        if (loaded.Desired is null)
        {
            // Rejected as a whole: the last good state keeps running.
            var byPolicy = loaded.PolicyErrors > 0 ? $", {loaded.PolicyErrors} by policy {SecurityPolicy?.Name}" : "";
            var message = $"revision {Short(loaded.Revision)} rejected: {loaded.Errors.Count} error(s){byPolicy}";
            // Stalled on this very rejection already (the revision cache gave it back unchanged): it waits for a new
            // commit quietly, without a log line, an event and a status write per poll.
            if (loaded.Cached && Status.Outcome == ReconcileOutcome.Stalled && Status.Message == message && Status.Errors.SequenceEqual(loaded.Errors)) return;
            Fail(ReconcileOutcome.Stalled, message, loaded.Errors);
            Publish("rejected", loaded.Revision);
            return;
        }
        var desired = loaded.Desired;
        if (NothingNew(trigger, loaded)) return;
        Plan plan;
        var actual = ActualApp.Read(_engine, Spec.Name);
        using (Executor.Source.StartActivity("diff"))
            plan = PlanFor(desired, actual, trigger is SyncTrigger.Manual);

        var newRevision = desired.Revision != Status.Revision;
        // A daemon start is not a request to heal: a report-only app applies at start only what is new in Git or
        // what the journal says was cut short; drift found since is reported, never fixed behind the user's back.
        var mayApply = newRevision || trigger is SyncTrigger.Manual or SyncTrigger.Rollback or SyncTrigger.Resume || Spec.Policy.Heals || _journal.Pending() is not null;
        // Trying a failed rollout again on every poll would start a replica that fails again each time (and, for
        // a start-first update, move the serving replica aside meanwhile): like a paused Swarm update, it waits
        // for a new commit or for the user to ask.
        if (!plan.IsEmpty && mayApply && desired.Revision == Status.FailedRevision && trigger is not (SyncTrigger.Manual or SyncTrigger.Rollback or SyncTrigger.Resume))
        {
            _applied = desired;
            Status = Record(Status with { Sync = SyncState.Failed }, ReconcileOutcome.Stalled);
            Save();
            return;
        }
        if (plan.IsEmpty || !mayApply)
        {
            _applied = desired;
            Status = Status with
            {
                Revision = desired.Revision, Subject = loaded.Subject, Errors = [], Message = plan.IsEmpty ? null : Status.Message,
                FailedRevision = plan.IsEmpty ? null : Status.FailedRevision,
            };
            CheckDriftLocked(desired, plan, actual);
            Status = Record(Status, OutcomeClassifier.OfHealth(Status.Health));
            Save();
            return;
        }
        Status = Status with { Sync = SyncState.Syncing, Message = $"applying {Short(desired.Revision)}: {plan.Steps.Count} step(s)" };
        var engineTime = Stopwatch.StartNew();
        try
        {
            await new Executor(_engine, _journal, _log) { Jobs = _jobs }.ApplyAsync(desired, plan, ct);
        }
        catch (ApplyException e)
        {
            _applied = desired;
            Status = Status with { FailedRevision = e.Stalled ? desired.Revision : null };
            Fail(OutcomeClassifier.OfApplyFailure(e), e.Stalled ? $"{e.Message} (not retried until a new commit or gitops sync)" : e.Message, []);
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
            Revision = desired.Revision, Subject = loaded.Subject, Sync = SyncState.Synced, Health = HealthState.Healthy, Errors = [], DriftCount = 0, FailedRevision = null,
            Message = plan.Warnings.Count > 0 ? string.Join("; ", plan.Warnings) : null, LastSync = DateTimeOffset.UtcNow,
            LastDurationMs = total.Elapsed.TotalMilliseconds, LastEngineMs = engineTime.Elapsed.TotalMilliseconds,
        };
        AddHistory(desired.Revision, loaded.Subject, "applied", plan.Steps.Count, trigger);
        Metrics.ReconcileDuration.Record(total.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("app", Spec.Name));
        Metrics.SetRevision(Spec.Name, desired.Revision);
        Publish("synced", desired.Revision);
        _log.Write(LogEvents.Synced, $"synced {Short(desired.Revision)} in {total.Elapsed.TotalMilliseconds:0} ms ({plan.Steps.Count} step(s), engine {engineTime.Elapsed.TotalMilliseconds:0} ms)");
        CheckDrift(desired);
        Status = Record(Status, OutcomeClassifier.OfHealth(Status.Health));
        Save();
    }

    /// <summary>
    /// A poll that found the applied revision again, compiled state and all (the revision cache hit, so no input
    /// changed), for an application that only reports drift and has nothing owed (no journal, no failed revision, no
    /// errors): there is nothing it could apply, and drift is the drift check's to report. Planning a large
    /// application against the engine costs far more than the poll itself, so it is left out.
    /// </summary>
    bool NothingNew(SyncTrigger trigger, Loaded loaded) =>
        trigger is SyncTrigger.Poll && loaded.Cached && ReferenceEquals(loaded.Desired, _applied) && loaded.Revision == Status.Revision
        && !Spec.Policy.Heals && Status.Outcome is null or ReconcileOutcome.Applied && Status.FailedRevision is null && Status.Errors.Count == 0 && _journal.Pending() is null;

    /// <summary>The dry run behind <c>gitops diff</c>: what a sync would do now, nothing changed.</summary>
    public async Task<DiffResult> DiffAsync(long cycle, string? revision, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var loaded = await LoadAsync(cycle, revision, forApply: false, ct);
            if (loaded.Desired is null) return new DiffResult(loaded.Revision, new Plan(loaded.Revision, [], []), "", loaded.Errors);
            var plan = PlanFor(loaded.Desired, ActualApp.Read(_engine, Spec.Name), explicitSync: true);
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
            if (_applied is null || _retired) return;
            var actual = ActualApp.Read(_engine, Spec.Name);
            var plan = PlanFor(_applied, actual);
            CheckDriftLocked(_applied, plan, actual);
            // Health that was on its way arrived: the wait is over without a requeue.
            if (Status.Outcome == ReconcileOutcome.Waiting && Status.Health != HealthState.Progressing) Status = Record(Status, ReconcileOutcome.Applied);
            if (!plan.IsEmpty && Spec.Policy.Heals && !Status.Errors.Any() && _applied.Revision != Status.FailedRevision)
            {
                _log.Write(LogEvents.Healing, $"healing {plan.Steps.Count} drift step(s)");
                try
                {
                    await new Executor(_engine, _journal, _log) { Jobs = _jobs }.ApplyAsync(_applied, plan, ct);
                    Publish("healed", _applied.Revision);
                    CheckDrift(_applied);
                }
                catch (ApplyException e) { Status = Status with { Message = "heal failed: " + e.Message }; }
            }
            Save();
        }
        finally { await ReleaseAsync(ct); }
    }

    /// <summary>Drift after an apply: read actual state once more, plan, report.</summary>
    void CheckDrift(DesiredApp desired)
    {
        var actual = ActualApp.Read(_engine, Spec.Name);
        CheckDriftLocked(desired, PlanFor(desired, actual), actual);
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
            Sync = Status.Errors.Count > 0 || desired.Revision == Status.FailedRevision ? SyncState.Failed : items.Count > 0 ? SyncState.OutOfSync : SyncState.Synced,
        };
        var (health, reason) = AppHealth.Of(desired, actual, items, _jobs.Store);
        Status = Status with { Health = health, HealthReason = reason };
        Write(Path.Combine(_dir, "drift.json"), Drift, AppJson.Default.DriftReport);
    }


    /// <summary>Marks the application failed without a sync (it could not even be scheduled): status says why.</summary>
    public void Reject(string message)
    {
        Status = Record(Status with { Sync = SyncState.Failed, Message = message }, ReconcileOutcome.Stalled);
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

    /// <summary>A reconcile that ended in a failure: Sync is Failed; <paramref name="outcome"/> says whether it is retried.</summary>
    void Fail(ReconcileOutcome outcome, string message, IReadOnlyList<string> errors)
    {
        Status = Record(Status with { Sync = SyncState.Failed, Message = message, Errors = errors }, outcome);
        var retry = Status.NextAttempt is { } next ? $" (transient, attempt {Status.Attempts}: next attempt in {(next - DateTimeOffset.UtcNow).TotalSeconds:0.0} s)" : "";
        _log.Write(LogEvents.SyncFailed, message + retry + (errors.Count > 0 ? "\n  " + string.Join("\n  ", errors) : ""));
        Save();
    }

    /// <summary>The back-off transient failures are retried on; tests shorten it.</summary>
    public Backoff Backoff { get; init; } = Backoff.Default;

    AppStatus Record(AppStatus status, ReconcileOutcome outcome) =>
        OutcomeTracker.Record(status, outcome, DateTimeOffset.UtcNow, Backoff, Random.Shared.NextDouble());

    void Publish(string action, string revision, params (string Key, string Value)[] extra)
    {
        var attrs = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = Spec.Name, ["revision"] = revision };
        foreach (var (k, v) in extra) attrs[k] = v;
        _engine.PublishEvent("app", action, Spec.Name, attrs);
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
