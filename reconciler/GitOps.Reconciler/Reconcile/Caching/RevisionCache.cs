namespace GitOps.Reconciler.Reconcile.Caching;

/// <summary>
/// The last compile of an application's revision, reused while nothing it depends on changed: a poll or drift check
/// that finds the same commit (or local digest), the same application definition and policy, and input files that
/// look as they did, skips the checkout, load, validation and compile. Rejected revisions are kept as well: an invalid
/// commit is not reloaded on every poll, it waits for a new one.
/// </summary>
/// <remarks>
/// In memory only: a restarted daemon (the way a changed config file takes effect) starts empty. Thread-safe; one
/// entry per key shape (an apply and a dry run of the same revision compile differently).
/// </remarks>
internal sealed class RevisionCache<T> where T : class
{
    sealed record Entry(RevisionKey Key, T Value, InputStamps Inputs);

    readonly Dictionary<bool, Entry> _entries = [];

    /// <summary>Off: every lookup misses (the bench's uncached path, and a way to rule the cache out).</summary>
    public bool Enabled { get; init; } = true;

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    /// <summary>The cached value for <paramref name="key"/>, or null when there is none or any input changed.</summary>
    public T? TryGet(RevisionKey key)
    {
        Entry? entry;
        lock (_entries) _entries.TryGetValue(key.ForApply, out entry);
        var hit = Enabled && entry is not null && entry.Key == key && entry.Inputs.Unchanged();
        lock (_entries)
        {
            if (hit) Hits++;
            else Misses++;
        }
        return hit ? entry!.Value : null;
    }

    /// <summary>
    /// Keeps <paramref name="value"/> for <paramref name="key"/>, unless an input changed while it was read (then the
    /// next lookup loads again rather than trust what may be a mix of old and new files).
    /// </summary>
    public void Put(RevisionKey key, T value, IEnumerable<string> inputs, DateTime loadStarted)
    {
        if (!Enabled) return;
        var stamps = InputStamps.Take(inputs, loadStarted);
        lock (_entries)
        {
            if (stamps.Racy) _entries.Remove(key.ForApply);
            else _entries[key.ForApply] = new Entry(key, value, stamps);
        }
    }

    /// <summary>Drops everything (the application was replaced or removed).</summary>
    public void Clear()
    {
        lock (_entries) _entries.Clear();
    }
}
