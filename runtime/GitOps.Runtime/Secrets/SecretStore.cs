using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Runtime.Events;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Secrets;

/// <summary>
/// Secrets and configs of one engine: ROOT/secrets/ID.json (content sealed with the node key) and
/// ROOT/configs/ID.json. Names are unique per kind; a value is changed by a new version
/// (<see cref="Update"/>, <see cref="Ensure"/>) or replaced by a new name. Removal is refused while
/// a container, running or not, refers to the object. Values leave this class only through
/// <see cref="Reveal"/>, for a container that is starting.
/// </summary>
public sealed class SecretStore
{
    public const int MaxSecretSize = 500 * 1024, MaxConfigSize = 1000 * 1024, MaxItemsSize = 1024 * 1024;

    readonly EnginePaths _paths;
    readonly EventBus _events;
    readonly Lock _gate = new();
    readonly Dictionary<string, SecretRecord> _records = new(StringComparer.Ordinal);
    readonly Dictionary<string, HashSet<string>> _users = new(StringComparer.Ordinal);
    NodeKey? _key;

    public SecretStore(EnginePaths paths, EventBus events)
    {
        _paths = paths;
        _events = events;
        foreach (var kind in new[] { SecretKind.Secret, SecretKind.Config })
        {
            var dir = Dir(kind);
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Temporary files a crash left mid-write hold sealed data only; they go.
            AtomicFile.RemoveStale(dir);
            foreach (var file in Directory.EnumerateFiles(dir, "*.json"))
            {
                SecretRecord? record;
                try { record = AtomicFile.ReadJson(file, RuntimeJson.Default.SecretRecord); }
                catch (JsonException e)
                {
                    // One unreadable record costs that object, reported, never the daemon's start.
                    Console.Error.WriteLine($"{file}: unreadable {kind.Noun()} record skipped: {e.Message}");
                    continue;
                }
                if (record is not null && record.Kind == kind) _records[record.Id] = record;
            }
        }
    }

    string Dir(SecretKind kind) => Path.Combine(_paths.Root, kind == SecretKind.Secret ? "secrets" : "configs");
    string FileOf(SecretRecord r) => Path.Combine(Dir(r.Kind), r.Id + ".json");
    NodeKey Key => _key ??= NodeKey.LoadOrCreate(Path.Combine(Dir(SecretKind.Secret), "node.key"));

    // ---- lookup ------------------------------------------------------------------------------

    /// <summary>By ID, name, or unique ID prefix (Docker's order).</summary>
    public SecretRecord? Find(SecretKind kind, string idOrName)
    {
        lock (_gate) return FindLocked(kind, idOrName);
    }

    SecretRecord? FindLocked(SecretKind kind, string idOrName)
    {
        if (_records.TryGetValue(idOrName, out var byId) && byId.Kind == kind) return byId;
        var byName = _records.Values.FirstOrDefault(r => r.Kind == kind && r.Name == idOrName);
        if (byName is not null) return byName;
        var prefixed = _records.Values.Where(r => r.Kind == kind && r.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
        return idOrName.Length > 0 && prefixed.Count == 1 ? prefixed[0] : null;
    }

    public SecretRecord Get(SecretKind kind, string idOrName) =>
        Find(kind, idOrName) ?? throw new NotFoundException($"{kind.Noun()} {idOrName} not found");

    public IReadOnlyList<SecretRecord> List(SecretKind kind)
    {
        lock (_gate) return _records.Values.Where(r => r.Kind == kind).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Names of the containers (IDs) that refer to the object.</summary>
    public IReadOnlyList<string> UsedBy(string id)
    {
        lock (_gate) return _users.TryGetValue(id, out var set) ? set.Order(StringComparer.Ordinal).ToList() : [];
    }

    // ---- create, update, remove --------------------------------------------------------------

    /// <summary>docker secret create / docker config create: a name in use is a conflict.</summary>
    public SecretRecord Create(SecretKind kind, SecretSpec spec)
    {
        var content = Validate(kind, spec);
        lock (_gate)
        {
            if (FindByNameLocked(kind, spec.Name) is not null) throw new ConflictException($"{kind.Noun()} {spec.Name} already exists");
            return CreateLocked(kind, spec, content);
        }
    }

    /// <summary>
    /// The reconciler's create-or-update: absent → created; same value and labels → untouched
    /// (Changed false); otherwise → a new version. Safe to call on every reconcile.
    /// </summary>
    public (SecretRecord Record, bool Changed) Ensure(SecretKind kind, SecretSpec spec)
    {
        var content = Validate(kind, spec);
        lock (_gate)
        {
            if (FindByNameLocked(kind, spec.Name) is not { } existing) return (CreateLocked(kind, spec, content), true);
            if (existing.ContentHash == Key.Hash(content) && SameKeys(existing.Keys, spec) && SameLabels(existing.Labels, spec.Labels))
                return (existing, false);
            return (UpdateLocked(existing, spec, content), true);
        }
    }

    /// <summary>
    /// A new version of the value (and labels). Containers read it at their next start; running
    /// ones keep what they were started with. <paramref name="expectedVersion"/> guards against
    /// concurrent updates, as Docker's version parameter does.
    /// </summary>
    public SecretRecord Update(SecretKind kind, string idOrName, SecretSpec spec, long? expectedVersion = null)
    {
        var content = Validate(kind, spec);
        lock (_gate)
        {
            var existing = FindLocked(kind, idOrName) ?? throw new NotFoundException($"{kind.Noun()} {idOrName} not found");
            if (spec.Name != existing.Name)
                throw new InvalidArgumentException($"{kind.Noun()} {existing.Name}: the name cannot be changed; create a new {kind.Noun()} to rotate by name");
            if (expectedVersion is { } v && v != existing.Version)
                throw new ConflictException($"update out of sequence: {kind.Noun()} {existing.Name} is at version {existing.Version}, not {v}");
            return UpdateLocked(existing, spec, content);
        }
    }

    /// <summary>docker secret rm: refused while any container refers to it.</summary>
    public void Remove(SecretKind kind, string idOrName)
    {
        SecretRecord record;
        lock (_gate)
        {
            record = FindLocked(kind, idOrName) ?? throw new NotFoundException($"{kind.Noun()} {idOrName} not found");
            if (_users.TryGetValue(record.Id, out var users) && users.Count > 0)
                throw new ConflictException($"{kind.Noun()} '{record.Name}' is in use by the following container{(users.Count > 1 ? "s" : "")}: {string.Join(", ", users.Order(StringComparer.Ordinal))}");
            File.Delete(FileOf(record));
            AtomicFile.SyncDirectory(Dir(kind));
            _records.Remove(record.Id);
        }
        Publish(record, "remove");
    }

    SecretRecord? FindByNameLocked(SecretKind kind, string name) =>
        _records.Values.FirstOrDefault(r => r.Kind == kind && r.Name == name);

    SecretRecord CreateLocked(SecretKind kind, SecretSpec spec, byte[] content)
    {
        var now = DateTimeOffset.UtcNow;
        var record = new SecretRecord
        {
            Id = NewId(),
            Kind = kind,
            Name = spec.Name,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
            Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
            Keys = spec.Items?.Keys.Order(StringComparer.Ordinal).ToList(),
        };
        record = Seal(record, content);
        AtomicFile.WriteJson(FileOf(record), record, RuntimeJson.Default.SecretRecord);
        _records[record.Id] = record;
        Publish(record, "create");
        return record;
    }

    SecretRecord UpdateLocked(SecretRecord existing, SecretSpec spec, byte[] content)
    {
        var record = Seal(existing with
        {
            Version = existing.Version + 1,
            UpdatedAt = DateTimeOffset.UtcNow,
            Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
            Keys = spec.Items?.Keys.Order(StringComparer.Ordinal).ToList(),
        }, content);
        AtomicFile.WriteJson(FileOf(record), record, RuntimeJson.Default.SecretRecord);
        _records[record.Id] = record;
        Publish(record, "update");
        return record;
    }

    SecretRecord Seal(SecretRecord record, byte[] content)
    {
        try
        {
            var payload = record.Kind == SecretKind.Secret ? Key.Seal(content, Context(record)) : content.ToArray();
            return record with { Payload = payload, ContentHash = Key.Hash(content) };
        }
        finally
        {
            if (record.Kind == SecretKind.Secret) CryptographicOperations.ZeroMemory(content);
        }
    }

    static string Context(SecretRecord r) => $"gitops {r.Kind.Noun()} {r.Id} {r.Version}";

    // ---- values ------------------------------------------------------------------------------

    /// <summary>The value(s) of a stored object, decrypted, for a container that is starting.</summary>
    public SecretContent Reveal(SecretRecord record)
    {
        var content = record.Kind == SecretKind.Secret ? Key.Open(record.Payload, Context(record)) : record.Payload;
        if (record.Keys is null) return new SecretContent(content, null);
        var map = JsonSerializer.Deserialize(content, RuntimeJson.Default.DictionaryStringString)
                  ?? throw new InvalidDataException($"{record} has no items");
        if (record.Kind == SecretKind.Secret) CryptographicOperations.ZeroMemory(content);
        return new SecretContent(null, map.ToDictionary(kv => kv.Key, kv => Convert.FromBase64String(kv.Value), StringComparer.Ordinal));
    }

    // ---- references --------------------------------------------------------------------------

    internal void Use(string id, string containerId)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue(id, out var set)) _users[id] = set = new HashSet<string>(StringComparer.Ordinal);
            set.Add(containerId);
        }
    }

    internal void Release(string id, string containerId)
    {
        lock (_gate)
        {
            if (_users.TryGetValue(id, out var set) && set.Remove(containerId) && set.Count == 0) _users.Remove(id);
        }
    }

    // ---- validation --------------------------------------------------------------------------

    /// <summary>Swarm's name rule: 1-64 of [a-zA-Z0-9-_.], starting and ending alphanumeric.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]) &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Kubernetes' key rule: [-._a-zA-Z0-9]+, at most 253 characters.</summary>
    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= 253 && key is not ("." or "..") && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Checks everything (all errors together) and returns the bytes to store.</summary>
    static byte[] Validate(SecretKind kind, SecretSpec spec)
    {
        var errors = new List<string>();
        var noun = kind.Noun();
        if (!IsValidName(spec.Name))
            errors.Add($"invalid name \"{InputLimits.Clip(spec.Name)}\", only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]");
        InputLimits.CheckLabels(spec.Labels, "Labels", errors);
        byte[] content = [];
        if ((spec.Data is null) == (spec.Items is null))
            errors.Add($"{noun} {spec.Name}: give either one value (Data) or named values (Items)");
        else if (spec.Data is { } data)
        {
            var max = kind == SecretKind.Secret ? MaxSecretSize : MaxConfigSize;
            if (data.Length < 1 || data.Length >= max) errors.Add($"{noun} data must be larger than 0 and less than {max} bytes");
            else content = data.ToArray();
        }
        else
        {
            var items = spec.Items!;
            foreach (var key in items.Keys.Order(StringComparer.Ordinal))
            {
                if (!IsValidKey(key)) errors.Add($"invalid key \"{InputLimits.Clip(key)}\": a valid key must consist of alphanumeric characters, '-', '_' or '.'");
                if (items[key] is null) errors.Add($"key \"{InputLimits.Clip(key)}\" has no value");
            }
            var total = items.Sum(kv => (long)kv.Key.Length + (kv.Value?.Length ?? 0));
            if (total > MaxItemsSize) errors.Add($"{noun} {spec.Name}: too long: must have at most {MaxItemsSize} bytes");
            if (errors.Count == 0)
            {
                var map = items.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                    .ToDictionary(kv => kv.Key, kv => Convert.ToBase64String(kv.Value), StringComparer.Ordinal);
                content = JsonSerializer.SerializeToUtf8Bytes(map, RuntimeJson.Default.DictionaryStringString);
            }
        }
        if (errors.Count > 0) throw new InvalidArgumentException(string.Join("\n", errors));
        return content;
    }

    static bool SameKeys(IReadOnlyList<string>? keys, SecretSpec spec) =>
        keys is null ? spec.Items is null : spec.Items is not null && keys.SequenceEqual(spec.Items.Keys.Order(StringComparer.Ordinal));

    static bool SameLabels(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>Swarm-style IDs: 25 characters of [a-z0-9] from 128 random bits.</summary>
    static string NewId()
    {
        var n = new System.Numerics.BigInteger(RandomNumberGenerator.GetBytes(16), isUnsigned: true);
        var sb = new StringBuilder();
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        while (n > 0) { sb.Insert(0, digits[(int)(n % 36)]); n /= 36; }
        return sb.ToString().PadLeft(25, '0');
    }

    void Publish(SecretRecord record, string action) =>
        _events.Publish(EngineEvent.Create(record.Kind.Noun(), action, record.Id, new Dictionary<string, string> { ["name"] = record.Name }));
}
