using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile;
using Xunit;

namespace GitOps.Reconciler.Tests.Reconcile.Engine;

/// <summary>One application on a <see cref="FakeEngine"/>: compile a manifest, plan against what the fake runs, apply.</summary>
internal sealed class Harness : IDisposable
{
    public FakeEngine Engine { get; } = new();
    public string Dir { get; } = Load.TempDir();
    public List<string> Log { get; } = [];
    public string JournalPath => Path.Combine(Dir, "journal.json");

    public static DesiredApp Compile(string yaml, string revision = "r1", string file = "compose.yaml")
    {
        var result = Load.Text(new Dictionary<string, string> { [file] = yaml }, null, file);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return Compiler.Compile("app", "p", revision, result.Application!);
    }

    public ActualApp Actual() => ActualApp.Read(Engine, "app");

    public Plan Plan(DesiredApp desired, AppPolicy? policy = null) => Planner.Plan(desired, Actual(), policy ?? AppPolicy.Default);

    /// <summary>A fresh executor each time, as a restarted daemon would make (it shares only the journal file).</summary>
    public Executor Executor() =>
        new(Engine, new Journal(JournalPath), new ReconcilerLog(Log.Add).For("app")) { StartTimeout = TimeSpan.FromSeconds(5) };

    public async Task<Plan> ApplyAsync(DesiredApp desired, AppPolicy? policy = null)
    {
        var plan = Plan(desired, policy);
        await Executor().ApplyAsync(desired, plan, CancellationToken.None);
        return plan;
    }

    /// <summary>Containers by name with the spec hash they carry: what "the same state" means for the tests.</summary>
    public SortedDictionary<string, string> Snapshot() =>
        new(Engine.All.ToDictionary(c => c.Name, c => $"{c.Labels.GetValueOrDefault(ManagedLabels.SpecHash)} {c.Status}"), StringComparer.Ordinal);

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
