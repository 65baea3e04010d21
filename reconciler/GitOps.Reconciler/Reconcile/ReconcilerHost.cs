using System.Collections.Concurrent;
using System.Text.Json;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Sources;
using GitOps.Reconciler.Triggers;
using GitOps.Runtime;
using GitOps.Runtime.State;

namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// The daemon's main job: every application, its triggers (polls, webhooks, manual syncs) and the drift
/// watch. Applications from the config file are fixed for the daemon's life; those added with
/// <c>gitops app add</c> (and compose up, stack deploy, apply) are kept in <c>apps.json</c>.
/// </summary>
internal sealed class ReconcilerHost : IDisposable
{
    readonly Ports.IEnginePort _engine;
    readonly string _root;
    readonly ReconcilerLog _log;
    readonly GitSourceCache _sources;
    readonly PollScheduler _scheduler;
    readonly ConcurrentDictionary<string, AppController> _apps = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _origins = new(StringComparer.Ordinal);
    readonly CancellationTokenSource _stop = new();
    readonly Lock _registryGate = new();
    readonly AppRegistry _registry;
    readonly ConcurrentDictionary<string, CancellationTokenSource> _requeues = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, Task> _driftRuns = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, Task> _jobRuns = new(StringComparer.Ordinal);
    long _cycle;
    Task? _driftLoop;
    Task? _jobLoop;

    public ReconcilerHost(Ports.IEnginePort engine, string root, IReadOnlyList<AppSpec> configured, TimeSpan driftInterval, Action<string> log, Policy.PolicyCatalog? policies = null)
    {
        _engine = engine;
        Policies = policies ?? Policy.PolicyCatalog.Presets;
        _root = Path.Combine(root, "reconciler");
        _log = new ReconcilerLog(log);
        DriftInterval = driftInterval;
        Directory.CreateDirectory(_root);
        _sources = new GitSourceCache(_root) { CheckoutsDirectory = CheckoutArea.Prepare(_root, m => _log.Write(LogEvents.StateUnreadable, null, m)) };
        _scheduler = new PollScheduler((app, e) => _log.Write(LogEvents.PollFailed, app, e.Message));
        _registry = new AppRegistry(Path.Combine(_root, "apps.json"), _log);
        foreach (var spec in configured)
            if (TryRegister(spec)) _origins[spec.Name] = "config";
        foreach (var record in _registry.Read())
            if (!_origins.ContainsKey(record.Spec.Name) && TryRegister(record.Spec)) _origins[record.Spec.Name] = record.Origin;
    }

    /// <summary>One application's registration at start: a failure is that application's, logged, never the daemon's.</summary>
    bool TryRegister(AppSpec spec)
    {
        try { Register(spec); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or ArgumentException)
        {
            _log.Write(LogEvents.AppStartFailed, spec.Name, $"cannot load the application's state, skipped: {e.Message}");
            return false;
        }
    }

    /// <summary>Saved applications that cannot be loaded (reported with status Invalid; app rm or app add clears them).</summary>
    public IReadOnlyList<BrokenApp> Broken => _registry.Broken;

    public TimeSpan DriftInterval { get; }

    /// <summary>The presets and the config file's named policies.</summary>
    public Policy.PolicyCatalog Policies { get; }
    /// <summary>How often the job controller looks at Jobs and CronJobs (Kubernetes' controllers react to events; a second is close enough for run-to-completion work).</summary>
    public TimeSpan JobInterval { get; init; } = TimeSpan.FromSeconds(1);

    public GitSourceCache Sources => _sources;

    public void Start()
    {
        _scheduler.StartAsync().GetAwaiter().GetResult();
        foreach (var app in _apps.Values)
        {
            // Each application starts on its own: whatever one of them throws is reported, and the others start.
            try
            {
                if (app.Spec.Source.Kind == SourceKind.Git) _scheduler.ScheduleAsync(app.Spec.Name, app.Spec.Schedule, PollAsync).GetAwaiter().GetResult();
                var pending = new Journal(Path.Combine(AppDir(app.Spec.Name), "journal.json")).Pending();
                var trigger = pending is not null ? SyncTrigger.Resume : SyncTrigger.Startup;
                if (pending is not null) _log.Write(LogEvents.Resuming, app.Spec.Name, $"resuming the apply of {pending.Revision} interrupted at step {pending.Done + 1} of {pending.Steps.Count}");
                _ = Task.Run(() => SyncThenRequeueAsync(app, trigger, NextCycle(), pending?.Revision is { } r && !r.StartsWith("local-", StringComparison.Ordinal) ? r : null, _stop.Token));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _log.Write(LogEvents.AppStartFailed, app.Spec.Name, $"cannot start the application: {e.Message}");
                app.Reject($"cannot start the application: {e.Message}");
            }
        }
        PruneTrees();
        _driftLoop = Task.Run(DriftLoopAsync);
        _jobLoop = Task.Run(JobLoopAsync);
    }

    /// <summary>
    /// Removes the run trees no one needs: kept are the revisions applications run or last applied, those any
    /// container still carries in its revision label (an application removed without its resources, a rollout cut
    /// short), and trees used in the last <see cref="GitSourceCache.TreeGrace"/> (a sync about to apply).
    /// </summary>
    void PruneTrees()
    {
        try
        {
            var keep = new HashSet<string>(_apps.Values.SelectMany(a => a.Revisions), StringComparer.Ordinal);
            foreach (var c in _engine.Containers())
                if (c.Labels.GetValueOrDefault(ManagedLabels.Revision) is { Length: > 0 } r) keep.Add(r);
            var removed = _sources.Prune(keep);
            if (removed > 0) _log.Write(LogEvents.TreesPruned, null, $"removed {removed} revision tree(s) no longer in use");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _log.Write(LogEvents.StateUnreadable, null, $"pruning revision trees: {e.Message}"); }
    }

    string AppDir(string name) => Path.Combine(_root, "apps", name);

    void Register(AppSpec spec)
    {
        var controller = new AppController(_engine, _sources, AppDir(spec.Name), spec, _log.For(spec.Name),
            s => (Policies.Resolve(s, Origin(s.Name), out var error), error));
        _apps[spec.Name] = controller;
    }

    Task PollAsync(string name, CancellationToken ct)
    {
        if (!_apps.TryGetValue(name, out var app)) return Task.CompletedTask;
        return SyncThenRequeueAsync(app, SyncTrigger.Poll, PollCycle(), null, ct);
    }

    /// <summary>One sync of <paramref name="app"/>, then its requeue armed from the outcome (see <see cref="Requeue"/>).</summary>
    async Task SyncThenRequeueAsync(AppController app, SyncTrigger trigger, long cycle, string? revision, CancellationToken ct)
    {
        await app.SyncAsync(trigger, cycle, revision, ct);
        Requeue(app);
    }

    /// <summary>
    /// Arms the application's next attempt when its last reconcile asked for one (a transient failure's back-off, a
    /// wait on health), replacing any armed before; each application has its own timer, so one backing off never
    /// holds another. The retry itself runs under the daemon's token, not the timer's: a later requeue must not cut an
    /// apply short.
    /// </summary>
    void Requeue(AppController app)
    {
        var name = app.Spec.Name;
        Disarm(name);
        if (app.Status.NextAttempt is not { } at || _stop.IsCancellationRequested) return;
        var timer = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        if (!_requeues.TryAdd(name, timer)) { timer.Dispose(); return; } // another sync armed it at the same moment
        _ = Task.Run(async () =>
        {
            try
            {
                var wait = at - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, timer.Token);
                // Disarmed or replaced while it waited: whoever did that decides what comes next.
                if (!_requeues.TryRemove(new KeyValuePair<string, CancellationTokenSource>(name, timer))) return;
                if (_apps.TryGetValue(name, out var current) && ReferenceEquals(current, app))
                    await SyncThenRequeueAsync(app, SyncTrigger.Retry, NextCycle(), null, _stop.Token);
            }
            catch (OperationCanceledException) { }
            catch (ObjectDisposedException) { } // the application was removed meanwhile
            finally { timer.Dispose(); }
        });
    }

    void Disarm(string name)
    {
        if (!_requeues.TryRemove(name, out var armed)) return;
        try { armed.Cancel(); }
        catch (ObjectDisposedException) { } // its wait had just ended
    }

    /// <summary>
    /// Cycle numbers only grow (the source cache fetches a repository at most once per cycle). Polls firing in
    /// the same second share a number, so applications on one repository polled together share one fetch; a
    /// longer slot would hold a short interval back (a poll late in a slot would reuse a fetch from its start).
    /// </summary>
    static long PollCycle() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() * 1000;

    /// <summary>A cycle newer than any handed out so far: webhooks and manual syncs always fetch.</summary>
    public long NextCycle()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _cycle);
            var next = Math.Max(last + 1, PollCycle() + 1);
            if (Interlocked.CompareExchange(ref _cycle, next, last) == last) return next;
        }
    }

    public IReadOnlyList<AppController> Apps => _apps.Values.OrderBy(a => a.Spec.Name, StringComparer.Ordinal).ToList();

    public AppController Get(string name) => _apps.TryGetValue(name, out var a) ? a : throw new NotFoundException($"No such application: {name}");

    public string Origin(string name) => _origins.GetValueOrDefault(name) ?? "cli";

    /// <summary>Adds or replaces an application and syncs it once, waiting for the result.</summary>
    public async Task<AppController> AddAsync(AppSpec spec, string origin, bool wait, CancellationToken ct)
    {
        if (GitOps.Reconciler.Configuration.AppSpecChecks.Problems(spec) is { Count: > 0 } problems)
            throw new InvalidArgumentException("invalid application: " + string.Join("; ", problems));
        if (spec.InlinePolicy is null && spec.SecurityPolicy is { } policyName && Policies.Find(policyName) is null)
            throw new InvalidArgumentException($"no policy named '{policyName}' (known: {string.Join(", ", Policies.Names)})");
        lock (_registryGate)
        {
            if (_origins.TryGetValue(spec.Name, out var o) && o == "config")
                throw new ConflictException($"application {spec.Name} is declared in the daemon's config file; change it there");
            // Registered and saved together, or not at all: a failed save (a full disk) puts the previous state back.
            var existing = _apps.GetValueOrDefault(spec.Name);
            var (previousSpec, previousOrigin) = (existing?.Spec, _origins.GetValueOrDefault(spec.Name));
            var broken = _registry.FindBroken(spec.Name);
            try
            {
                if (existing is not null) existing.Update(spec);
                else Register(spec);
                _origins[spec.Name] = origin;
                _registry.Forget(spec.Name);
                WriteRegistry();
            }
            catch
            {
                if (existing is not null) existing.Update(previousSpec!);
                else if (_apps.TryRemove(spec.Name, out var added)) { added.Forget(); added.Dispose(); }
                if (previousOrigin is not null) _origins[spec.Name] = previousOrigin; else _origins.TryRemove(spec.Name, out _);
                if (broken is not null) _registry.Restore(broken);
                throw;
            }
        }
        await _scheduler.UnscheduleAsync(spec.Name, ct);
        if (spec.Source.Kind == SourceKind.Git) await _scheduler.ScheduleAsync(spec.Name, spec.Schedule, PollAsync, ct);
        var app = _apps[spec.Name];
        var sync = SyncThenRequeueAsync(app, SyncTrigger.Manual, NextCycle(), null, _stop.Token);
        if (wait) await sync.WaitAsync(ct);
        return app;
    }

    /// <summary>Forgets an application; with <paramref name="removeResources"/>, also removes what it created (compose down, stack rm).</summary>
    public async Task RemoveAsync(string name, bool removeResources, bool removeVolumes, CancellationToken ct)
    {
        if (!_apps.ContainsKey(name) && _registry.FindBroken(name) is not null)
        {
            // A saved record that never loaded: only the record (and what carries its name) goes.
            if (removeResources) await Teardown.RunAsync(_engine, name, removeVolumes, ct);
            lock (_registryGate) { _registry.Forget(name); WriteRegistry(); }
            try { Directory.Delete(AppDir(name), recursive: true); } catch (DirectoryNotFoundException) { }
            return;
        }
        var app = Get(name);
        if (Origin(name) == "config") throw new ConflictException($"application {name} is declared in the daemon's config file; remove it there");
        await _scheduler.UnscheduleAsync(name, ct);
        Disarm(name);
        _driftRuns.TryRemove(name, out _);
        _jobRuns.TryRemove(name, out _);
        await app.RetireAsync(ct);
        if (removeResources) await Teardown.RunAsync(_engine, name, removeVolumes, ct);
        lock (_registryGate)
        {
            _apps.TryRemove(name, out _);
            _origins.TryRemove(name, out _);
            WriteRegistry();
        }
        app.Forget();
        app.Dispose();
        Metrics.Forget(name);
        // The mirror goes with the last application on its repository; trees go unless containers (or other apps) still use them.
        var others = _apps.Values.SelectMany(a => a.TreeRevisions.Concat(a.Revisions)).ToHashSet(StringComparer.Ordinal);
        foreach (var r in app.TreeRevisions.Concat(app.Revisions).Where(r => !others.Contains(r))) _sources.ForgetUse(r);
        if (app.Spec.Source.Kind == SourceKind.Git && !_apps.Values.Any(a => a.Spec.Source.Kind == SourceKind.Git && SameRepository(a.Spec.Source.Repo, app.Spec.Source.Repo)))
            _sources.RemoveMirror(app.Spec.Source.Repo);
        PruneTrees();
    }

    public Task SyncAsync(string name, string? revision, SyncTrigger trigger, CancellationToken ct) =>
        SyncThenRequeueAsync(Get(name), trigger, NextCycle(), revision, ct);

    /// <summary>Pins an application to an earlier revision (the previous applied one by default) until a newer commit arrives.</summary>
    public async Task<string> RollbackAsync(string name, string? revision, CancellationToken ct)
    {
        var app = Get(name);
        if (app.Spec.Source.Kind != SourceKind.Git) throw new InvalidArgumentException($"application {name} has no Git history to roll back to");
        var current = app.Status.Revision;
        var target = revision ?? app.History().Where(h => h.Result == "applied" && h.Revision != current).Select(h => h.Revision).FirstOrDefault()
            ?? throw new InvalidArgumentException($"application {name} has no earlier applied revision; name one: gitops rollback {name} REV");
        var resolved = _sources.Describe(app.Spec.Source, target).Commit;
        app.Pin(resolved, app.Status.LatestRevision ?? current ?? resolved);
        await SyncThenRequeueAsync(app, SyncTrigger.Rollback, NextCycle(), resolved, ct);
        return resolved;
    }

    /// <summary>A verified push: sync every application that follows that repository and ref, at once.</summary>
    public IReadOnlyList<string> OnPush(PushEvent push)
    {
        var matched = _apps.Values.Where(a => a.Spec.Source.Kind == SourceKind.Git && push.Matches(a.Spec)).Select(a => a.Spec.Name).ToList();
        var cycle = NextCycle();
        foreach (var name in matched) _ = Task.Run(() => SyncThenRequeueAsync(_apps[name], SyncTrigger.Webhook, cycle, null, _stop.Token));
        return matched;
    }

    static bool SameRepository(string a, string b) =>
        RepoUrl.TryParse(a, out var x) && RepoUrl.TryParse(b, out var y) ? x.Key == y.Key : a == b;

    async Task DriftLoopAsync()
    {
        using var timer = new PeriodicTimer(DriftInterval);
        var lastPrune = DateTime.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (DateTime.UtcNow - lastPrune > TimeSpan.FromMinutes(1)) { PruneTrees(); lastPrune = DateTime.UtcNow; }
                foreach (var app in _apps.Values) StartFor(_driftRuns, app, CheckDriftOfAsync);
            }
        }
        catch (OperationCanceledException) { }
    }

    async Task JobLoopAsync()
    {
        using var timer = new PeriodicTimer(JobInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                foreach (var app in _apps.Values) StartFor(_jobRuns, app, TickJobsOfAsync);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>
    /// Starts <paramref name="work"/> for <paramref name="app"/> unless its previous run is still going: a long heal or
    /// job start of one application then delays only that application's next look, never the others'.
    /// </summary>
    static void StartFor(ConcurrentDictionary<string, Task> runs, AppController app, Func<AppController, Task> work)
    {
        if (runs.TryGetValue(app.Spec.Name, out var running) && !running.IsCompleted) return;
        runs[app.Spec.Name] = Task.Run(() => work(app));
    }

    async Task CheckDriftOfAsync(AppController app)
    {
        try { await app.CheckDriftAsync(_stop.Token); }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { } // removed while checked: a heal of a removed app must not end the loop for all
        catch (Exception e) when (e is Ports.EngineFailure or IOException) { _log.Write(LogEvents.DriftCheckFailed, app.Spec.Name, e.Message); }
    }

    async Task TickJobsOfAsync(AppController app)
    {
        // An application removed meanwhile (its controller disposed) is simply skipped; nothing may end the loop.
        try { await app.TickJobsAsync(_stop.Token); }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (Exception e) when (e is not OutOfMemoryException) { _log.Write(Jobs.JobLogEvents.PodError, app.Spec.Name, e.Message); }
    }

    void WriteRegistry() =>
        _registry.Write(_apps.Values.Where(a => Origin(a.Spec.Name) != "config").Select(a => new AppRecord(a.Spec, Origin(a.Spec.Name))));

    public void Dispose()
    {
        _stop.Cancel();
        try { _scheduler.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        try { _driftLoop?.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        try { _jobLoop?.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        try { Task.WaitAll([.. _driftRuns.Values, .. _jobRuns.Values], TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        foreach (var a in _apps.Values) a.Dispose();
    }
}
