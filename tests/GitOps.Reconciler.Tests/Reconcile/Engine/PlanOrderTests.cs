using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile;
using Xunit;

namespace GitOps.Reconciler.Tests.Reconcile.Engine;

/// <summary>The order a plan runs in, as recorded by the fake engine: what a service needs exists before it starts, removals come last.</summary>
public sealed class PlanOrderTests
{
    const string App = """
        services:
          web:
            image: web:1
            depends_on: [api]
            networks: [front, back]
          api:
            image: api:1
            depends_on: [db]
            networks: [back]
          db:
            image: db:1
            volumes: [data:/var/lib/db]
            networks: [back]
        networks:
          front: {}
          back: {}
        volumes:
          data: {}
        """;

    [Fact]
    public async Task Networks_and_volumes_come_first_then_services_in_dependency_order()
    {
        using var h = new Harness();
        var plan = await h.ApplyAsync(Harness.Compile(App));

        Assert.Equal(["create network p_back", "create network p_front", "create volume p_data"],
            plan.Steps.Take(3).Select(s => s.Describe()).Order(StringComparer.Ordinal));
        Assert.Equal(["db", "api", "web"], plan.Steps.OfType<RolloutService>().Select(r => r.Service.Name));
        var calls = h.Engine.Calls;
        int At(string call) => calls.IndexOf(call) is >= 0 and var i ? i : throw new Xunit.Sdk.XunitException($"no call {call} in {string.Join("; ", calls)}");
        Assert.True(At("create-network p_back") < At("create p-db-1"));
        Assert.True(At("create-volume p_data") < At("create p-db-1"));
        Assert.True(At("start p-db-1") < At("create p-api-1"));
        Assert.True(At("start p-api-1") < At("create p-web-1"));
        Assert.Equal(3, h.Engine.All.Count(c => c.Running));
        Assert.True(h.Plan(Harness.Compile(App)).IsEmpty);
    }

    [Fact]
    public async Task Removals_come_after_every_rollout_and_only_with_prune()
    {
        using var h = new Harness();
        await h.ApplyAsync(Harness.Compile(App));
        const string Smaller = """
            services:
              web:
                image: web:2
                networks: [front]
            networks:
              front: {}
            """;
        var desired = Harness.Compile(Smaller, "r2");

        var kept = h.Plan(desired);
        Assert.DoesNotContain(kept.Steps, s => s is RemoveService or RemoveNetwork or RemoveVolume);
        Assert.Contains("service api is no longer in Git; it keeps running because prune is off", kept.Warnings);

        var prune = new AppPolicy(Prune: true, PruneVolumes: false, SelfHeal: false, DriftMode.Report);
        h.Engine.Calls.Clear();
        var plan = await h.ApplyAsync(desired, prune);
        Assert.Equal(["service web: replace 1 replica (recreate)", "remove service api (p-api-1)", "remove service db (p-db-1)", "remove network p_back"],
            plan.Steps.Select(s => s.Describe()));
        var calls = h.Engine.Calls;
        Assert.True(calls.IndexOf("start p-web-1") < calls.IndexOf("remove p-api-1"));
        Assert.True(calls.IndexOf("remove p-db-1") < calls.IndexOf("remove-network p_back"));
        Assert.Equal(["p-web-1"], h.Engine.All.Select(c => c.Name));
        Assert.Equal(["p_front"], h.Engine.NetworkNames);
    }
}
