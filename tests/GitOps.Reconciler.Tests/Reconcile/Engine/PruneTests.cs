using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile;
using Xunit;

namespace GitOps.Reconciler.Tests.Reconcile.Engine;

/// <summary>What leaves Git goes only with prune, and data only with prune-volumes, which the plan announces as data loss.</summary>
public sealed class PruneTests
{
    const string Before = """
        services:
          web:
            image: web:1
          db:
            image: db:1
            volumes: [data:/data]
        volumes:
          data: {}
        """;

    const string After = """
        services:
          web:
            image: web:1
        """;

    static readonly AppPolicy Prune = new(Prune: true, PruneVolumes: false, SelfHeal: false, DriftMode.Report);
    static readonly AppPolicy PruneVolumes = Prune with { PruneVolumes = true };

    static async Task<Harness> DeployedAsync()
    {
        var h = new Harness();
        await h.ApplyAsync(Harness.Compile(Before));
        h.Engine.Calls.Clear();
        return h;
    }

    [Fact]
    public async Task Without_prune_nothing_is_removed_and_the_plan_says_what_is_kept()
    {
        using var h = await DeployedAsync();
        var plan = await h.ApplyAsync(Harness.Compile(After, "r2"));

        Assert.Empty(plan.Steps);
        Assert.Empty(h.Engine.Calls);
        Assert.Contains("service db is no longer in Git; it keeps running because prune is off", plan.Warnings);
        Assert.NotNull(h.Engine.Container("p-db-1"));
    }

    [Fact]
    public async Task Prune_removes_the_service_but_keeps_its_named_volume_and_data()
    {
        using var h = await DeployedAsync();
        var plan = await h.ApplyAsync(Harness.Compile(After, "r2"), Prune);

        Assert.Equal(["remove service db (p-db-1)"], plan.Steps.Select(s => s.Describe()));
        Assert.All(plan.Steps, s => Assert.Null(s.DataLoss));
        Assert.Contains("volume p_data is no longer in Git; kept with its data (volumes are only removed with prune-volumes)", plan.Warnings);
        Assert.Equal(["stop p-db-1", "remove p-db-1"], h.Engine.Calls);
        Assert.Contains("p_data", h.Engine.VolumeNames);
        Assert.Null(h.Engine.Container("p-db-1"));
    }

    [Fact]
    public async Task Prune_volumes_removes_the_volume_after_its_container_and_the_plan_announces_the_loss()
    {
        using var h = await DeployedAsync();
        var plan = await h.ApplyAsync(Harness.Compile(After, "r2"), PruneVolumes);

        var remove = Assert.Single(plan.Steps.OfType<RemoveVolume>());
        Assert.Equal("volume p_data: every file in it is deleted", remove.DataLoss);
        Assert.Equal("remove volume p_data and its data", remove.Describe());
        var calls = h.Engine.Calls;
        Assert.True(calls.IndexOf("remove p-db-1") < calls.IndexOf("remove-volume p_data"));
        Assert.DoesNotContain("p_data", h.Engine.VolumeNames);
        Assert.Equal(["p-web-1"], h.Engine.All.Select(c => c.Name));
    }
}
