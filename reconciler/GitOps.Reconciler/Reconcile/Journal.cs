using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Runtime.State;

namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// What an apply was doing, on disk before the first step runs. After a crash the daemon finds it and
/// reconciles that revision again before anything else: planning is level-based, so "resume" means
/// re-planning from actual state, and the journal tells us which revision we owed the fleet.
/// </summary>
internal sealed class Journal(string path)
{
    public sealed record Entry(string Revision, DateTimeOffset Started, IReadOnlyList<string> Steps, int Done);

    Entry? _entry;

    public void Begin(string revision, IReadOnlyList<string> steps)
    {
        _entry = new Entry(revision, DateTimeOffset.UtcNow, steps, 0);
        Write();
    }

    public void Done(int index)
    {
        if (_entry is null) return;
        _entry = _entry with { Done = index + 1 };
        Write();
    }

    public void Complete()
    {
        _entry = null;
        File.Delete(path);
    }

    /// <summary>An apply that never completed, if the last daemon died during one.</summary>
    public Entry? Pending()
    {
        try { return AtomicFile.ReadJson(path, ReconcileJson.Default.Entry); }
        catch (JsonException) { return null; }
    }

    void Write()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteJson(path, _entry!, ReconcileJson.Default.Entry);
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Journal.Entry))]
internal sealed partial class ReconcileJson : JsonSerializerContext;
