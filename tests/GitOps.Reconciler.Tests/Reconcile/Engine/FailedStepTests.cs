using GitOps.Reconciler.Reconcile;
using Xunit;

namespace GitOps.Reconciler.Tests.Reconcile.Engine;

/// <summary>A step that fails leaves the service as it was: the old replicas keep their names, their state and their router slot.</summary>
public sealed class FailedStepTests
{
    static string Stack(string image) => $$"""
        services:
          web:
            image: {{image}}
            deploy:
              replicas: 2
              update_config: {parallelism: 1, order: start-first}
        """;

    [Fact]
    public async Task A_new_replica_that_exits_is_removed_and_the_old_one_takes_its_name_back()
    {
        using var h = new Harness();
        await h.ApplyAsync(Harness.Compile(Stack("web:1")));
        var before = h.Snapshot();
        var ids = h.Engine.All.ToDictionary(c => c.Name, c => c.Id);
        h.Engine.OnStart = c => { if (c.Image == "web:2") { c.Status = "exited"; c.ExitCode = 3; } };
        h.Engine.Calls.Clear();

        var e = await Assert.ThrowsAsync<ApplyException>(() => h.ApplyAsync(Harness.Compile(Stack("web:2"), "r2")));

        Assert.True(e.Stalled);
        Assert.Contains("replica p-web-1 exited with code 3", e.Message);
        Assert.Equal(before, h.Snapshot());
        Assert.Equal(ids, h.Engine.All.ToDictionary(c => c.Name, c => c.Id));
        Assert.Equal(["pull web:2", $"rename p-web-1 p-web-1-old-{ids["p-web-1"][..8]}", "create p-web-1", "start p-web-1", "remove p-web-1", $"rename p-web-1-old-{ids["p-web-1"][..8]} p-web-1"],
            h.Engine.Calls);
    }

    [Fact]
    public async Task A_failed_pull_stops_the_rollout_before_any_replica_is_touched()
    {
        using var h = new Harness();
        await h.ApplyAsync(Harness.Compile(Stack("web:1")));
        var before = h.Snapshot();
        h.Engine.FailOn = "pull web:2";
        h.Engine.Calls.Clear();

        var e = await Assert.ThrowsAsync<ApplyException>(() => h.ApplyAsync(Harness.Compile(Stack("web:2"), "r2")));

        Assert.False(e.Stalled); // an outage may pass: retried, unlike a revision that does not work
        Assert.Equal(["FAILED pull web:2"], h.Engine.Calls);
        Assert.Equal(before, h.Snapshot());
    }

    [Fact]
    public async Task A_start_the_engine_refuses_removes_what_was_created_and_restores_the_old_replica()
    {
        using var h = new Harness();
        await h.ApplyAsync(Harness.Compile(Stack("web:1")));
        var before = h.Snapshot();
        h.Engine.FailOn = "start p-web-2";
        h.Engine.Calls.Clear();

        await Assert.ThrowsAsync<ApplyException>(() => h.ApplyAsync(Harness.Compile(Stack("web:2"), "r2")));

        // Batch one (p-web-1) went through; batch two failed and left p-web-2 as it was.
        Assert.Equal("web:2", h.Engine.Container("p-web-1")!.Image);
        Assert.Equal(before["p-web-2"], h.Snapshot()["p-web-2"]);
        Assert.Equal(2, h.Engine.All.Count);
        Assert.Contains("remove p-web-2", h.Engine.Calls);
    }
}
