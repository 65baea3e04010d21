using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Events;
using GitOps.Runtime.Linux;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Volumes;

/// <summary>
/// Volumes of the local driver under ROOT/volumes/NAME: volume.json and the _data directory that
/// containers see. A volume appears (and disappears) by one rename, so a crash never leaves half
/// of one. The store knows which containers (running or not) use each volume, and refuses to remove
/// a volume in use; volumes with driver options are mounted on the host while a container using
/// them runs.
/// </summary>
public sealed class VolumeStore
{
    public const string LocalDriver = "local";

    readonly EnginePaths _paths;
    readonly EventBus _events;
    readonly Lock _gate = new();
    readonly Dictionary<string, VolumeRecord> _volumes = new(StringComparer.Ordinal);
    /// <summary>Containers (any state) whose mounts name each volume.</summary>
    readonly Dictionary<string, HashSet<string>> _users = new(StringComparer.Ordinal);
    /// <summary>Volumes with driver options mounted on the host, and the running containers that need them.</summary>
    readonly Dictionary<string, HashSet<string>> _mountedFor = new(StringComparer.Ordinal);
    readonly Dictionary<string, object> _copyLocks = new(StringComparer.Ordinal);

    public VolumeStore(EnginePaths paths, EventBus events)
    {
        _paths = paths;
        _events = events;
        foreach (var dir in Directory.EnumerateDirectories(paths.Volumes))
        {
            var record = AtomicFile.ReadJson(Path.Combine(dir, "volume.json"), RuntimeJson.Default.VolumeRecord);
            // A directory without volume.json is nobody's volume: left alone, it may hold someone's data.
            if (record is not null && record.Name == Path.GetFileName(dir)) _volumes[record.Name] = record;
        }
    }

    string Dir(string name) => Path.Combine(_paths.Volumes, name);

    /// <summary>The directory containers see: ROOT/volumes/NAME/_data.</summary>
    public string Mountpoint(string name) => Path.Combine(Dir(name), "_data");

    /// <summary>Docker's local-driver rule for names.</summary>
    public static bool IsValidName(string name) =>
        name.Length >= 2 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    public static string InvalidNameMessage(string name) =>
        $"create {InputLimits.Clip(name)}: \"{InputLimits.Clip(name)}\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path";

    /// <summary>
    /// docker volume create. A name that exists already gives that volume back (as Docker does),
    /// unless the driver options differ; without a name, an anonymous-style random name is chosen.
    /// </summary>
    public VolumeRecord Create(string? name, string? driver = null, IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? options = null)
    {
        lock (_gate) return CreateLocked(name, driver, labels, options, out _);
    }

    VolumeRecord CreateLocked(string? name, string? driver, IReadOnlyDictionary<string, string>? labels,
        IReadOnlyDictionary<string, string>? options, out bool created)
    {
        created = false;
        var errors = new List<string>();
        name = string.IsNullOrEmpty(name) ? Ids.New() : name;
        if (!IsValidName(name)) errors.Add(InvalidNameMessage(name));
        // The volume is a directory named after it: a longer name could only fail later with ENAMETOOLONG.
        else if (name.Length > InputLimits.MaxName) errors.Add($"create {InputLimits.Clip(name)}: a volume name has at most {InputLimits.MaxName} characters");
        InputLimits.CheckLabels(labels, "Labels", errors);
        driver = string.IsNullOrEmpty(driver) ? LocalDriver : driver;
        if (driver != LocalDriver) errors.Add($"error looking up volume plugin {driver}: plugin \"{driver}\" not found (only the local driver exists)");
        var opts = new Dictionary<string, string>(options ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        LocalDriverOptions.Validate(opts, errors);
        if (errors.Count > 0) throw new InvalidArgumentException(string.Join("\n", errors));

        if (_volumes.TryGetValue(name, out var existing))
        {
            if (!SameOptions(existing.Options, opts))
                throw new ConflictException($"volume {name} already exists with different driver options");
            return existing;
        }
        var record = new VolumeRecord
        {
            Name = name,
            Driver = driver,
            CreatedAt = DateTimeOffset.UtcNow,
            Labels = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
            Options = opts,
        };
        // Assembled beside the store and renamed in: a volume is there whole or not at all.
        var work = Path.Combine(_paths.Tmp, "volume-" + Ids.New()[..16]);
        Directory.CreateDirectory(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            Directory.CreateDirectory(Path.Combine(work, "_data"));
            File.SetUnixFileMode(Path.Combine(work, "_data"), (UnixFileMode)0x1ED /* 0755 */);
            AtomicFile.WriteJson(Path.Combine(work, "volume.json"), record, RuntimeJson.Default.VolumeRecord);
            Directory.Move(work, Dir(name));
            AtomicFile.SyncDirectory(_paths.Volumes);
        }
        catch
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
            throw;
        }
        _volumes[name] = record;
        created = true;
        Publish("create", name, ("driver", driver));
        return record;
    }

    static bool SameOptions(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public VolumeRecord? Find(string name)
    {
        lock (_gate) return _volumes.GetValueOrDefault(name);
    }

    public VolumeRecord Get(string name) => Find(name) ?? throw new NotFoundException($"get {name}: no such volume");

    public IReadOnlyList<VolumeRecord> List()
    {
        lock (_gate) return _volumes.Values.OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>IDs of the containers, running or stopped, that use the volume.</summary>
    public IReadOnlyList<string> UsedBy(string name)
    {
        lock (_gate) return _users.TryGetValue(name, out var set) ? set.Order(StringComparer.Ordinal).ToList() : [];
    }

    /// <summary>
    /// A container's mount of a volume: the volume is created if it does not exist (as -v does) and
    /// from now on counts as in use. Both happen under one lock, so a concurrent rm or prune either
    /// sees the user or removes the volume before it is created again here.
    /// </summary>
    internal (VolumeRecord Volume, bool Created) Use(string? name, string containerId, IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? options = null, string? driver = null)
    {
        lock (_gate)
        {
            VolumeRecord? existing = null;
            if (name is not null) _volumes.TryGetValue(name, out existing);
            var record = existing ?? CreateLocked(name, driver, labels, options, out _);
            var created = existing is null;
            if (!_users.TryGetValue(record.Name, out var set)) _users[record.Name] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(containerId);
            return (record, created);
        }
    }

    /// <summary>Records an existing container's use at daemon start.</summary>
    internal void Restore(string name, string containerId)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue(name, out var set)) _users[name] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(containerId);
        }
    }

    internal void Release(string name, string containerId)
    {
        lock (_gate)
        {
            if (_users.TryGetValue(name, out var set) && set.Remove(containerId) && set.Count == 0) _users.Remove(name);
        }
    }

    /// <summary>docker volume rm: refused while any container, running or not, uses the volume.</summary>
    public void Remove(string name, bool force = false)
    {
        VolumeRecord record;
        lock (_gate)
        {
            if (!_volumes.TryGetValue(name, out record!))
            {
                if (force) return;
                throw new NotFoundException($"get {name}: no such volume");
            }
            if (_users.TryGetValue(name, out var users) && users.Count > 0)
                throw new ConflictException($"remove {name}: volume is in use - [{string.Join(", ", users.Order(StringComparer.Ordinal))}]");
            _volumes.Remove(name);
        }
        Delete(record);
        Publish("destroy", name, ("driver", record.Driver));
    }

    /// <summary>
    /// docker volume prune: volumes no container uses that <paramref name="match"/> accepts. Sizes
    /// are measured before each removal; the sum is the space reclaimed.
    /// </summary>
    public (IReadOnlyList<string> Deleted, long Reclaimed) Prune(Func<VolumeRecord, bool> match)
    {
        var deleted = new List<string>();
        long reclaimed = 0;
        foreach (var v in List())
        {
            if (!match(v)) continue;
            var size = DirectorySize.Of(Mountpoint(v.Name));
            lock (_gate)
            {
                if (!_volumes.ContainsKey(v.Name) || (_users.TryGetValue(v.Name, out var u) && u.Count > 0)) continue;
                _volumes.Remove(v.Name);
            }
            Delete(v);
            Publish("destroy", v.Name, ("driver", v.Driver));
            deleted.Add(v.Name);
            reclaimed += size;
        }
        return (deleted, reclaimed);
    }

    /// <summary>
    /// Removes the volume's directory. A host mount of a driver-option volume is detached first
    /// and checked gone: a recursive delete must never walk into a bound host directory.
    /// </summary>
    void Delete(VolumeRecord record)
    {
        var mountpoint = Mountpoint(record.Name);
        if (IsMounted(mountpoint))
        {
            Sys.Umount(mountpoint, Sys.MNT_DETACH);
            if (IsMounted(mountpoint)) throw new ConflictException($"remove {record.Name}: its mount point is still mounted");
        }
        lock (_gate) _mountedFor.Remove(record.Name);
        var doomed = Path.Combine(_paths.Tmp, $"removed-volume-{Ids.New()[..16]}");
        Directory.Move(Dir(record.Name), doomed);
        AtomicFile.SyncDirectory(_paths.Volumes);
        Images.ImageStore.DeleteTree(doomed);
    }

    static bool IsMounted(string path)
    {
        var full = Path.GetFullPath(path);
        return MountInfo.Parse(File.ReadAllText("/proc/self/mountinfo")).Any(m => m.MountPoint == full);
    }

    /// <summary>A lock per volume for filling it from an image: two containers starting at once copy once.</summary>
    internal object CopyLock(string name)
    {
        lock (_gate)
        {
            if (!_copyLocks.TryGetValue(name, out var l)) _copyLocks[name] = l = new object();
            return l;
        }
    }

    /// <summary>Before a container using the volume starts: a volume with driver options gets its host mount.</summary>
    internal void Activate(string name, string containerId)
    {
        lock (_gate)
        {
            var record = _volumes.GetValueOrDefault(name) ?? throw new NotFoundException($"get {name}: no such volume");
            if (!LocalDriverOptions.NeedsMount(record.Options)) return;
            if (!_mountedFor.TryGetValue(name, out var set))
            {
                var mountpoint = Mountpoint(name);
                if (!IsMounted(mountpoint))
                {
                    try { LocalDriverOptions.Mount(record.Options, mountpoint); }
                    catch (ErrnoException e) { throw new InvalidArgumentException($"error while mounting volume '{mountpoint}': {e.Message}"); }
                }
                _mountedFor[name] = set = new HashSet<string>(StringComparer.Ordinal);
            }
            set.Add(containerId);
        }
    }

    /// <summary>After a container using the volume stopped: the last one out unmounts.</summary>
    internal void Deactivate(string name, string containerId)
    {
        lock (_gate)
        {
            if (!_mountedFor.TryGetValue(name, out var set) || !set.Remove(containerId) || set.Count > 0) return;
            _mountedFor.Remove(name);
            var mountpoint = Mountpoint(name);
            try { if (IsMounted(mountpoint)) Sys.Umount(mountpoint, Sys.MNT_DETACH); }
            catch (ErrnoException e) { Console.Error.WriteLine($"volume {name}: unmount: {e.Message}"); }
        }
    }

    /// <summary>
    /// At daemon start, after the running containers were re-adopted: host mounts of driver-option
    /// volumes that no running container needs any more (their container died while the daemon
    /// was down) are undone.
    /// </summary>
    internal void RestoreMounts(IEnumerable<(string Volume, string ContainerId)> running)
    {
        lock (_gate)
        {
            foreach (var (volume, id) in running)
            {
                if (!_volumes.TryGetValue(volume, out var record) || !LocalDriverOptions.NeedsMount(record.Options)) continue;
                if (!_mountedFor.TryGetValue(volume, out var set)) _mountedFor[volume] = set = new HashSet<string>(StringComparer.Ordinal);
                set.Add(id);
            }
            foreach (var record in _volumes.Values)
            {
                if (!LocalDriverOptions.NeedsMount(record.Options) || _mountedFor.ContainsKey(record.Name)) continue;
                var mountpoint = Mountpoint(record.Name);
                try { if (IsMounted(mountpoint)) Sys.Umount(mountpoint, Sys.MNT_DETACH); }
                catch (ErrnoException e) { Console.Error.WriteLine($"volume {record.Name}: unmount: {e.Message}"); }
            }
        }
    }

    public long Size(string name) => DirectorySize.Of(Mountpoint(name));

    internal void Publish(string action, string name, params (string Key, string Value)[] attributes)
    {
        var attrs = attributes.ToDictionary(a => a.Key, a => a.Value);
        _events.Publish(EngineEvent.Create("volume", action, name, attrs));
    }
}
