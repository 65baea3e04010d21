using System.Text.Json;
using GitOps.Runtime.State;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>
/// The application's Job and CronJob status on disk, written atomically (fsynced: a completed run that were
/// forgotten after a crash would run again). Only the app's controller changes it, under the app's gate; the API
/// reads it at any time, so every access takes a lock and readers get copies.
/// </summary>
internal sealed class JobStore
{
    private readonly string _path;
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CronRecord> _crons = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public JobStore(string path, Action<string>? onUnreadable = null)
    {
        _path = path;
        try
        {
            if (AtomicFile.ReadJson(path, JobJson.Default.JobStoreDocument) is { } doc)
            {
                foreach (var j in doc.Jobs) _jobs[j.Name] = j;
                foreach (var c in doc.CronJobs) _crons[c.Service] = c;
            }
        }
        catch (JsonException e) { onUnreadable?.Invoke($"ignoring unreadable {path}: {e.Message}"); }
    }

    public bool Dirty { get; private set; }

    public IReadOnlyList<JobRecord> Jobs { get { lock (_lock) return [.. _jobs.Values]; } }

    public IReadOnlyList<CronRecord> CronJobs { get { lock (_lock) return [.. _crons.Values]; } }

    public JobRecord? Job(string name) { lock (_lock) return _jobs.GetValueOrDefault(name); }

    public CronRecord? Cron(string service) { lock (_lock) return _crons.GetValueOrDefault(service); }

    /// <summary>The Jobs a CronJob created, oldest scheduled first.</summary>
    public IReadOnlyList<JobRecord> JobsOf(string cronService)
    {
        lock (_lock)
            return [.. _jobs.Values.Where(j => j.Service == cronService && j.ScheduledTime is not null).OrderBy(j => j.ScheduledTime).ThenBy(j => j.Name, StringComparer.Ordinal)];
    }

    public void Put(JobRecord record)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(record.Name, out var old) && Same(old, record)) return;
            _jobs[record.Name] = record;
            Dirty = true;
        }
    }

    public void Put(CronRecord record)
    {
        lock (_lock)
        {
            if (_crons.TryGetValue(record.Service, out var old) && old == record) return;
            _crons[record.Service] = record;
            Dirty = true;
        }
    }

    public void RemoveJob(string name)
    {
        lock (_lock) Dirty |= _jobs.Remove(name);
    }

    public void RemoveCron(string service)
    {
        lock (_lock) Dirty |= _crons.Remove(service);
    }

    public void Save()
    {
        JobStoreDocument doc;
        lock (_lock)
        {
            if (!Dirty) return;
            doc = new JobStoreDocument([.. _jobs.Values.OrderBy(j => j.Name, StringComparer.Ordinal)], [.. _crons.Values.OrderBy(c => c.Service, StringComparer.Ordinal)]);
            Dirty = false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        AtomicFile.WriteJson(_path, doc, JobJson.Default.JobStoreDocument);
    }

    /// <summary>Record equality with the collections compared by content (records compare references of their lists).</summary>
    private static bool Same(JobRecord a, JobRecord b) =>
        a with { Counted = [], CompletedIndexes = [], Restarts = Empty } == b with { Counted = [], CompletedIndexes = [], Restarts = Empty } &&
        a.Counted.SequenceEqual(b.Counted) && a.CompletedIndexes.SequenceEqual(b.CompletedIndexes) &&
        a.Restarts.Count == b.Restarts.Count && a.Restarts.All(kv => b.Restarts.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static readonly IReadOnlyDictionary<string, PodRestarts> Empty = new Dictionary<string, PodRestarts>();
}
