using System.Text.Json;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Configuration;
using GitOps.Runtime.State;

namespace GitOps.Reconciler.Reconcile;

/// <summary>A saved application that cannot be loaded: its record is kept as it was, and reported.</summary>
internal sealed record BrokenApp(string Name, string Error, JsonElement Record);

/// <summary>
/// <c>apps.json</c>: the applications added through the API (app add, compose up, stack deploy, apply). Each record is
/// loaded on its own: one that cannot be read or fails the checks is reported (log and status) and skipped — never
/// fatal to the daemon or to the other applications — and kept in the file as it was, so nothing is lost, until the
/// user replaces it (<c>app add</c> with its name) or removes it (<c>app rm</c>). A file that is not JSON at all is
/// moved aside, not overwritten.
/// </summary>
internal sealed class AppRegistry(string path, ReconcilerLog log)
{
    readonly Dictionary<string, BrokenApp> _broken = new(StringComparer.Ordinal);
    readonly Lock _gate = new();

    public IReadOnlyList<BrokenApp> Broken
    {
        get { lock (_gate) return _broken.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToList(); }
    }

    public BrokenApp? FindBroken(string name)
    {
        lock (_gate) return _broken.GetValueOrDefault(name);
    }

    /// <summary>The records that load; the others land in <see cref="Broken"/>.</summary>
    public IReadOnlyList<AppRecord> Read()
    {
        if (!File.Exists(path)) return [];
        List<JsonElement>? raw;
        try { raw = AtomicFile.ReadJson(path, AppJson.Default.ListJsonElement); }
        catch (JsonException e)
        {
            var aside = $"{path}.unreadable-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
            File.Move(path, aside);
            log.Write(LogEvents.StateUnreadable, null, $"{path} is not a JSON list ({e.Message}); moved to {aside}, no application loaded from it");
            return [];
        }
        var good = new List<AppRecord>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (raw?.Count ?? 0); i++)
        {
            var element = raw![i];
            string? error;
            AppRecord? record = null;
            try
            {
                record = element.Deserialize(AppJson.Default.AppRecord);
                error = record is null ? "the record is null"
                    : record.Spec is null ? "the record has no spec"
                    : AppSpecChecks.Problems(record.Spec) is { Count: > 0 } problems ? string.Join("; ", problems)
                    : string.IsNullOrEmpty(record.Origin) ? "the record has no origin"
                    : !names.Add(record.Spec.Name) ? $"a second record named {record.Spec.Name}" : null;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException) { error = e.Message; }
            if (error is null) { good.Add(record!); continue; }
            var name = NameOf(element) is { } n && AppSpecValidator.IsValidName(n) && !names.Contains(n) ? n : $"apps.json[{i}]";
            names.Add(name);
            lock (_gate) _broken[name] = new BrokenApp(name, error, element.Clone());
            log.Write(LogEvents.AppUnloadable, name, $"cannot load this application from {path}, skipped (fix it with gitops app add, or gitops app rm {name}): {error}");
        }
        return good;
    }

    /// <summary>Forgets a broken record (it was replaced or removed); false when there is none of that name.</summary>
    public bool Forget(string name)
    {
        lock (_gate) return _broken.Remove(name);
    }

    /// <summary>Puts back a broken record forgotten by a replacement that then failed.</summary>
    public void Restore(BrokenApp broken)
    {
        lock (_gate) _broken[broken.Name] = broken;
    }

    /// <summary>Writes <paramref name="records"/> and every broken record still kept, atomically (0600: tokens live here).</summary>
    public void Write(IEnumerable<AppRecord> records)
    {
        var list = records.OrderBy(r => r.Spec.Name, StringComparer.Ordinal).Select(r => JsonSerializer.SerializeToElement(r, AppJson.Default.AppRecord)).ToList();
        lock (_gate) list.AddRange(_broken.Values.OrderBy(b => b.Name, StringComparer.Ordinal).Select(b => b.Record));
        AtomicFile.WriteJson(path, list, AppJson.Default.ListJsonElement);
    }

    static string? NameOf(JsonElement record) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
}
