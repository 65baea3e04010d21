using GitOps.Reconciler.Model;
using GitOps.Reconciler.Ports;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>
/// The job controller of one application: starts Job runs the plan asks for, and every tick (about once a second)
/// looks at each run's pods and carries out what <see cref="JobController"/> and <see cref="CronController"/>
/// decide — create, restart or remove pods, schedule CronJob runs, trim their history — keeping status in
/// <see cref="JobStore"/>. It runs under the application's gate, never beside a sync of the same application.
/// </summary>
internal sealed class JobRunner(IEnginePort engine, string storePath, Journal journal, AppLog log, TimeProvider? time = null)
{
    /// <summary>How long pod creation waits after it failed (a pull that failed, an engine error) before trying again.</summary>
    public static readonly TimeSpan CreateRetry = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, DateTimeOffset> _retryAfter = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string?), CronSchedule?> _schedules = [];

    public JobStore Store { get; } = new(storePath, message => log.Write(LogEvents.StateUnreadable, message));

    /// <summary>
    /// The plan's step: the previous run of this Job (if any) goes, a new run starts. Pods of this very run that
    /// exist already (the status file was lost, the state directory restored) are kept and counted, not run again.
    /// </summary>
    public async Task StartAsync(DesiredApp app, StartJob step, CancellationToken ct)
    {
        var svc = step.Service;
        var observed = Observe(app).GetValueOrDefault(svc.Name) ?? [];
        await RemovePodsAsync(app, observed.Where(p => p.Hash != step.Hash).ToList(), ct);
        var now = _time.GetUtcNow();
        var suspended = svc.Spec.Job!.Suspend;
        var run = new JobRecord
        {
            Name = svc.Name, Service = svc.Name, Hash = step.Hash, Revision = app.Revision, Created = now,
            StartTime = suspended ? null : now, Phase = suspended ? JobPhase.Suspended : JobPhase.Running,
        };
        Store.Put(run);
        Store.Save();
        log.Write(JobLogEvents.Started, $"job {svc.Name}: {(step.Previous is null ? "started" : "spec changed, new run started")}{(suspended ? " (suspended)" : "")}");
        await TickJobAsync(app, svc, run, observed.Where(p => p.Hash == step.Hash).ToList(), ct);
        Store.Save();
    }

    /// <summary>One look at every Job and CronJob of the applied revision. True when a run started, finished or failed.</summary>
    public async Task<bool> TickAsync(DesiredApp app, CancellationToken ct)
    {
        var before = Store.Jobs.ToDictionary(j => j.Name, j => j.Phase, StringComparer.Ordinal);
        var observed = Observe(app);
        foreach (var svc in app.Services.Where(s => s.Spec.Kind == WorkloadKind.Job))
            if (Store.Job(svc.Name) is { } run && run.Hash == JobIdentity.RunHash(svc))
                await TickJobAsync(app, svc, run, observed.GetValueOrDefault(run.Name) ?? [], ct);
        foreach (var svc in app.Services.Where(s => s.Spec.Kind == WorkloadKind.CronJob))
            await TickCronAsync(app, svc, observed, ct);
        Forget(app, observed);
        Store.Save();
        return Store.Jobs.Count != before.Count || Store.Jobs.Any(j => !before.TryGetValue(j.Name, out var p) || p != j.Phase);
    }

    /// <summary>Status of runs whose Job or CronJob left Git goes once their pods are gone (pruned); kept while they exist.</summary>
    private void Forget(DesiredApp app, Dictionary<string, List<ObservedPod>> observed)
    {
        var services = app.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var run in Store.Jobs.Where(j => !services.Contains(j.Service) && !observed.ContainsKey(j.Name)).ToList()) Store.RemoveJob(run.Name);
        foreach (var cron in Store.CronJobs.Where(c => !services.Contains(c.Service) && Store.JobsOf(c.Service).Count == 0).ToList()) Store.RemoveCron(cron.Service);
    }

    private Dictionary<string, List<ObservedPod>> Observe(DesiredApp app)
    {
        var regular = app.Services.ToDictionary(s => s.Name, s => (IReadOnlySet<string>)s.Spec.Template.Containers.Skip(1).Select(c => c.Name).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        return PodReader.Read(engine, app.App, service => regular.GetValueOrDefault(service) ?? new HashSet<string>());
    }

    private async Task TickCronAsync(DesiredApp app, DesiredService svc, Dictionary<string, List<ObservedPod>> observed, CancellationToken ct)
    {
        var spec = svc.Spec.Cron!;
        var now = _time.GetUtcNow();
        var cron = Store.Cron(svc.Name) ?? new CronRecord { Service = svc.Name, Created = now };
        foreach (var child in Store.JobsOf(svc.Name))
        {
            var after = await TickJobAsync(app, svc, child, observed.GetValueOrDefault(child.Name) ?? [], ct);
            // A finished Job of a CronJob is deleted at its TTL, as Kubernetes' TTL controller deletes it.
            if (after.PodsRemoved) Store.RemoveJob(child.Name);
        }
        if (!_schedules.TryGetValue((spec.Schedule, spec.TimeZone), out var schedule))
            _schedules[(spec.Schedule, spec.TimeZone)] = schedule = CronSchedule.TryParse(spec.Schedule, spec.TimeZone, out _);
        if (schedule is null) return; // refused at load; a zone removed from the system since is the only way here
        var decision = CronController.Decide(spec, schedule, cron, Store.JobsOf(svc.Name), now);
        Note(decision.Notes);
        foreach (var name in decision.Delete)
        {
            await RemovePodsAsync(app, observed.GetValueOrDefault(name) ?? [], ct);
            Store.RemoveJob(name);
        }
        Store.Put(decision.Record);
        if (decision.Create is { } scheduled)
        {
            var suspended = svc.Spec.Job!.Suspend;
            var run = new JobRecord
            {
                Name = CronController.JobName(svc.Name, scheduled), Service = svc.Name, Hash = JobIdentity.RunHash(svc), Revision = app.Revision,
                Created = now, ScheduledTime = scheduled, StartTime = suspended ? null : now, Phase = suspended ? JobPhase.Suspended : JobPhase.Running,
            };
            Store.Put(run);
            // Saved before any pod exists: a crash now must not schedule this time again.
            Store.Save();
            await TickJobAsync(app, svc, run, [], ct);
        }
    }

    /// <summary>Applies the controller's decision for one run; returns the run's new status.</summary>
    private async Task<JobRecord> TickJobAsync(DesiredApp app, DesiredService svc, JobRecord run, List<ObservedPod> observed, CancellationToken ct)
    {
        var spec = svc.Spec.Job!;
        var mine = observed.Where(p => p.Hash == run.Hash).ToList();
        // Numbers of pods made just before a crash that the saved status does not know yet are never used again.
        if (mine.Count > 0 && mine.Max(p => p.Pod.Ordinal) >= run.NextOrdinal) run = run with { NextOrdinal = mine.Max(p => p.Pod.Ordinal) + 1 };
        var now = _time.GetUtcNow();
        var decision = JobController.Decide(spec, svc.Spec.Template.Restart.Condition == RestartCondition.OnFailure, run, [.. mine.Select(p => p.Pod)], now);
        Note(decision.Notes);
        var byName = observed.ToDictionary(p => p.Pod.Name, StringComparer.Ordinal);
        foreach (var name in decision.StopSidecars)
            foreach (var id in byName[name].Sidecars)
                try { await engine.StopContainerAsync(id, (int)Math.Ceiling(svc.StopGrace.TotalSeconds), ct); } catch (EngineFailure e) when (e.NotFound) { }
        await RemovePodsAsync(app, decision.Remove.Select(n => byName[n]).ToList(), ct);
        foreach (var name in decision.Restart)
            foreach (var id in byName[name].Regular)
                if (engine.FindContainer(id) is { Running: false }) await engine.StartContainerAsync(id, ct);

        var record = decision.Record;
        if (decision.Create.Count > 0 && (!_retryAfter.TryGetValue(run.Name, out var retry) || now >= retry))
        {
            var executor = new Executor(engine, journal, log);
            try
            {
                await executor.EnsureImagesAsync(app, svc, ct);
                foreach (var pod in decision.Create)
                {
                    var podService = JobIdentity.PodService(svc, record, pod.Index);
                    await executor.CreateReplicaAsync(app, podService, pod.Ordinal, ct);
                    log.Write(JobLogEvents.PodCreated, $"job {run.Name}: pod {podService.ReplicaName(app.Project, pod.Ordinal)}{(pod.Index is { } i ? $" (index {i})" : "")} started");
                }
                _retryAfter.Remove(run.Name);
                record = record with { Message = null };
            }
            catch (Exception e) when (e is EngineFailure or ApplyException or IOException)
            {
                // The status keeps the numbers handed out; a pod that does not exist is simply made again next time.
                _retryAfter[run.Name] = now + CreateRetry;
                log.Write(JobLogEvents.PodError, $"job {run.Name}: could not start a pod: {e.Message}");
                record = record with { Message = "could not start a pod: " + e.Message };
            }
        }
        else if (decision.Create.Count > 0)
        {
            record = record with { NextOrdinal = run.NextOrdinal, Active = record.Active - decision.Create.Count };
        }
        Store.Put(record);
        return record;
    }

    /// <summary>Removes pods with their containers (sidecars first) and their scratch volumes; gone already is fine.</summary>
    private async Task RemovePodsAsync(DesiredApp app, IReadOnlyList<ObservedPod> pods, CancellationToken ct)
    {
        await Task.WhenAll(pods.Select(async p =>
        {
            foreach (var id in p.Containers.Reverse()) await Executor.StopAndRemoveAsync(engine, id, null, ct);
            foreach (var v in engine.Volumes().Where(v => v.Labels.GetValueOrDefault(ManagedLabels.Ephemeral) == p.Pod.Name && v.Labels.GetValueOrDefault(ManagedLabels.App) == app.App))
                try { engine.RemoveVolume(v.Name); } catch (EngineFailure) { }
        }));
    }

    private void Note(IEnumerable<JobNote> notes)
    {
        foreach (var n in notes) log.Write(n.Event, n.Message);
    }
}
