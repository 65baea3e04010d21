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
    readonly Engine _engine;
    readonly string _root;
    readonly ReconcilerLog _log;
    readonly GitSourceCache _sources;
    readonly PollScheduler _scheduler;
    readonly ConcurrentDictionary<string, AppController> _apps = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _origins = new(StringComparer.Ordinal);
    readonly CancellationTokenSource _stop = new();
    readonly Lock _registryGate = new();
    long _cycle;
    Task? _driftLoop;
    Task? _jobLoop;

    public ReconcilerHost(Engine engine, string root, IReadOnlyList<AppSpec> configured, TimeSpan driftInterval, Action<string> log)
    {
        _engine = engine;
        _root = Path.Combine(root, "reconciler");
        _log = new ReconcilerLog(log);
        DriftInterval = driftInterval;
        Directory.CreateDirectory(_root);
        _sources = new GitSourceCache(_root);
        _scheduler = new PollScheduler((app, e) => _log.Write(LogEvents.PollFailed, app, e.Message));
        foreach (var spec in configured) { _origins[spec.Name] = "config"; Register(spec); }
        foreach (var record in ReadRegistry())
            if (!_origins.ContainsKey(record.Spec.Name)) { _origins[record.Spec.Name] = record.Origin; Register(record.Spec); }
    }

    public TimeSpan DriftInterval { get; }

    /// <summary>How often the job controller looks at Jobs and CronJobs (Kubernetes' controllers react to events; a second is close enough for run-to-completion work).</summary>
    public TimeSpan JobInterval { get; init; } = TimeSpan.FromSeconds(1);

    public GitSourceCache Sources => _sources;

    public void Start()
    {
        _scheduler.StartAsync().GetAwaiter().GetResult();
        foreach (var app in _apps.Values)
        {
            if (app.Spec.Source.Kind == SourceKind.Git) _scheduler.ScheduleAsync(app.Spec.Name, app.Spec.Schedule, PollAsync).GetAwaiter().GetResult();
            var pending = new Journal(Path.Combine(AppDir(app.Spec.Name), "journal.json")).Pending();
            var trigger = pending is not null ? SyncTrigger.Resume : SyncTrigger.Startup;
            if (pending is not null) _log.Write(LogEvents.Resuming, app.Spec.Name, $"resuming the apply of {pending.Revision} interrupted at step {pending.Done + 1} of {pending.Steps.Count}");
            _ = Task.Run(() => app.SyncAsync(trigger, NextCycle(), pending?.Revision is { } r && !r.StartsWith("local-", StringComparison.Ordinal) ? r : null, _stop.Token));
        }
        _driftLoop = Task.Run(DriftLoopAsync);
        _jobLoop = Task.Run(JobLoopAsync);
    }

    string AppDir(string name) => Path.Combine(_root, "apps", name);

    void Register(AppSpec spec)
    {
        var controller = new AppController(_engine, _sources, AppDir(spec.Name), spec, _log.For(spec.Name));
        _apps[spec.Name] = controller;
    }

    Task PollAsync(string name, CancellationToken ct)
    {
        if (!_apps.TryGetValue(name, out var app)) return Task.CompletedTask;
        return app.SyncAsync(SyncTrigger.Poll, PollCycle(), null, ct);
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
        lock (_registryGate)
        {
            if (_origins.TryGetValue(spec.Name, out var o) && o == "config")
                throw new ConflictException($"application {spec.Name} is declared in the daemon's config file; change it there");
            if (_apps.TryGetValue(spec.Name, out var existing)) existing.Update(spec);
            else Register(spec);
            _origins[spec.Name] = origin;
            WriteRegistry();
        }
        await _scheduler.UnscheduleAsync(spec.Name, ct);
        if (spec.Source.Kind == SourceKind.Git) await _scheduler.ScheduleAsync(spec.Name, spec.Schedule, PollAsync, ct);
        var app = _apps[spec.Name];
        var sync = app.SyncAsync(SyncTrigger.Manual, NextCycle(), null, _stop.Token);
        if (wait) await sync.WaitAsync(ct);
        return app;
    }

    /// <summary>Forgets an application; with <paramref name="removeResources"/>, also removes what it created (compose down, stack rm).</summary>
    public async Task RemoveAsync(string name, bool removeResources, bool removeVolumes, CancellationToken ct)
    {
        var app = Get(name);
        if (Origin(name) == "config") throw new ConflictException($"application {name} is declared in the daemon's config file; remove it there");
        await _scheduler.UnscheduleAsync(name, ct);
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
    }

    public Task SyncAsync(string name, string? revision, SyncTrigger trigger, CancellationToken ct) =>
        Get(name).SyncAsync(trigger, NextCycle(), revision, ct);

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
        await app.SyncAsync(SyncTrigger.Rollback, NextCycle(), resolved, ct);
        return resolved;
    }

    /// <summary>A verified push: sync every application that follows that repository and ref, at once.</summary>
    public IReadOnlyList<string> OnPush(PushEvent push)
    {
        var matched = _apps.Values.Where(a => a.Spec.Source.Kind == SourceKind.Git && push.Matches(a.Spec)).Select(a => a.Spec.Name).ToList();
        var cycle = NextCycle();
        foreach (var name in matched) _ = Task.Run(() => _apps[name].SyncAsync(SyncTrigger.Webhook, cycle, null, _stop.Token));
        return matched;
    }

    async Task DriftLoopAsync()
    {
        using var timer = new PeriodicTimer(DriftInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                foreach (var app in _apps.Values)
                {
                    try { await app.CheckDriftAsync(_stop.Token); }
                    catch (ObjectDisposedException) { } // removed while checked: a heal of a removed app must not end the loop for all
                    catch (Exception e) when (e is EngineException or IOException) { _log.Write(LogEvents.DriftCheckFailed, app.Spec.Name, e.Message); }
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
                foreach (var app in _apps.Values)
                {
                    // An application removed meanwhile (its controller disposed) is simply skipped; nothing may end this loop.
                    try { await app.TickJobsAsync(_stop.Token); }
                    catch (ObjectDisposedException) { }
                    catch (Exception e) when (e is not OperationCanceledException) { _log.Write(Jobs.JobLogEvents.PodError, app.Spec.Name, e.Message); }
                }
        }
        catch (OperationCanceledException) { }
    }

    IReadOnlyList<AppRecord> ReadRegistry()
    {
        var path = Path.Combine(_root, "apps.json");
        try { return AtomicFile.ReadJson(path, AppJson.Default.ListAppRecord) ?? []; }
        catch (JsonException e) { _log.Write(LogEvents.StateUnreadable, null, $"ignoring unreadable {path}: {e.Message}"); return []; }
    }

    void WriteRegistry()
    {
        var path = Path.Combine(_root, "apps.json");
        var list = _apps.Values.Where(a => Origin(a.Spec.Name) != "config").Select(a => new AppRecord(a.Spec, Origin(a.Spec.Name))).OrderBy(r => r.Spec.Name, StringComparer.Ordinal).ToList();
        // 0600 (AtomicFile's mode): a token-authenticated source's credentials live here.
        AtomicFile.WriteJson(path, list, AppJson.Default.ListAppRecord);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _scheduler.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        try { _driftLoop?.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        try { _jobLoop?.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        foreach (var a in _apps.Values) a.Dispose();
    }
}

/// <summary>compose down / stack rm: everything labelled with the application, networks last.</summary>
internal static class Teardown
{
    public static async Task RunAsync(Engine engine, string app, bool volumes, CancellationToken ct)
    {
        foreach (var r in engine.Networks.ListRouters().Where(r => r.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList())
            try { engine.Networks.RemoveRouter(r.Name); } catch (NotFoundException) { }
        // In parallel, as compose down does: each container may take its stop grace period.
        await Task.WhenAll(engine.Containers.All().Where(c => c.Config.Labels.GetValueOrDefault(ManagedLabels.App) == app)
            .Select(c => Executor.StopAndRemoveAsync(engine, c.Id, null, ct)));
        foreach (var n in engine.Networks.List().Where(n => n.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList())
            try { engine.Networks.Remove(n.Id); } catch (NotFoundException) { }
        // Secrets and configs are the application's own copies of what Git holds: nothing is lost with them.
        foreach (var kind in new[] { GitOps.Runtime.Secrets.SecretKind.Secret, GitOps.Runtime.Secrets.SecretKind.Config })
            foreach (var o in engine.Secrets.List(kind).Where(o => o.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList())
                try { engine.Secrets.Remove(kind, o.Id); } catch (NotFoundException) { }
        // Volumes hold data: as compose down, only scratch space goes unless -v (--remove-volumes) asks for all.
        foreach (var v in engine.Volumes.List().Where(v => v.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList())
            if (volumes || v.Labels.ContainsKey(ManagedLabels.Ephemeral))
                try { engine.Volumes.Remove(v.Name); } catch (NotFoundException) { }
    }
}
