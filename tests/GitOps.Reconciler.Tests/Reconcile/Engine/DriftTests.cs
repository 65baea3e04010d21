using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Sources;
using Xunit;

namespace GitOps.Reconciler.Tests.Reconcile.Engine;

/// <summary>
/// Drift through the application controller on the fake engine: a report-only application says what changed and
/// touches nothing; a healing one puts it back, and its report is empty afterwards.
/// </summary>
public sealed class DriftTests
{
    const string Compose = """
        services:
          web:
            image: web:1
            environment: {MODE: live}
            deploy: {replicas: 2}
          worker:
            image: worker:1
        """;

    static (AppController Controller, Harness H) Controller(DriftMode mode)
    {
        var h = new Harness();
        var source = Path.Combine(h.Dir, "src");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "compose.yaml"), Compose);
        var spec = new AppSpec("app", new AppSource(SourceKind.Local, source, null, null, null, null), ["compose.yaml"], AppSchedule.Default,
            new AppPolicy(false, false, false, mode), "p");
        var controller = new AppController(h.Engine, new GitSourceCache(Path.Combine(h.Dir, "git")), Path.Combine(h.Dir, "state"), spec,
            new ReconcilerLog(h.Log.Add).For("app"));
        return (controller, h);
    }

    static void Drift(FakeEngine engine)
    {
        engine.StopByUser("p-web-1");
        engine.RemoveByUser("p-web-2");
    }

    [Fact]
    public async Task A_report_only_application_reports_drift_and_changes_nothing()
    {
        var (controller, h) = Controller(DriftMode.Report);
        using (h)
        using (controller)
        {
            await controller.SyncAsync(SyncTrigger.Manual, 1, null, CancellationToken.None);
            Assert.Equal(3, h.Engine.All.Count(c => c.Running));
            Assert.Equal(0, controller.Status.DriftCount);
            Drift(h.Engine);
            h.Engine.Calls.Clear();

            await controller.CheckDriftAsync(CancellationToken.None);

            Assert.Empty(h.Engine.Calls);
            var items = controller.Drift!.Items.Select(i => (i.Kind, i.Resource)).Order().ToList();
            Assert.Equal([("missing", "container/p-web-2"), ("stopped", "container/p-web-1")], items);
            Assert.Equal(2, controller.Status.DriftCount);
            Assert.Contains(h.Engine.Events, e => e == "app drift");
        }
    }

    [Fact]
    public async Task A_healing_application_puts_back_what_was_stopped_or_removed()
    {
        var (controller, h) = Controller(DriftMode.Heal);
        using (h)
        using (controller)
        {
            await controller.SyncAsync(SyncTrigger.Manual, 1, null, CancellationToken.None);
            Drift(h.Engine);
            h.Engine.Calls.Clear();

            await controller.CheckDriftAsync(CancellationToken.None);

            Assert.Equal(["start p-web-1", "create p-web-2", "start p-web-2"], h.Engine.Calls.Where(c => !c.StartsWith("pull", StringComparison.Ordinal)));
            Assert.Empty(controller.Drift!.Items);
            Assert.Equal(3, h.Engine.All.Count(c => c.Running));
            Assert.Contains(h.Engine.Events, e => e == "app healed");
        }
    }

    [Fact]
    public async Task Environment_changed_outside_Git_is_drift_that_a_heal_replaces()
    {
        var (controller, h) = Controller(DriftMode.Heal);
        using (h)
        using (controller)
        {
            await controller.SyncAsync(SyncTrigger.Manual, 1, null, CancellationToken.None);
            var id = h.Engine.Container("p-web-1")!.Id;
            h.Engine.Container("p-web-1")!.Env.Remove("MODE=live");
            h.Engine.Calls.Clear();

            var actual = h.Actual();
            var items = DriftFinder.Items("p", Planner.Plan(controller.Applied!, actual, AppPolicy.Default), actual, _ => DateTimeOffset.UnixEpoch);
            Assert.Equal(("changed", "container/p-web-1", "environment changed: MODE"), Assert.Single(items) is var i ? (i.Kind, i.Resource, i.Found) : default);

            await controller.CheckDriftAsync(CancellationToken.None);

            Assert.NotEqual(id, h.Engine.Container("p-web-1")!.Id);
            Assert.Contains("MODE=live", h.Engine.Container("p-web-1")!.Env);
            Assert.Empty(controller.Drift!.Items);
        }
    }
}
