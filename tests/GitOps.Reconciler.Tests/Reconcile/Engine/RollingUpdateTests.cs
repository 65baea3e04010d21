using GitOps.Reconciler.Reconcile;
using Xunit;

namespace GitOps.Reconciler.Tests.Reconcile.Engine;

/// <summary>
/// Rolling-update arithmetic as carried out on the fake engine: batch size, start-first against stop-first, and
/// the bounds on running replicas (replicas + surge at most, replicas - unavailable at least) at every call.
/// </summary>
public sealed class RollingUpdateTests
{
    static string Compose(string image, int replicas, string update) => $$"""
        services:
          web:
            image: {{image}}
            deploy:
              replicas: {{replicas}}
        {{update}}
        """;

    static string Update(int parallelism, string order) =>
        $"      update_config: {{parallelism: {parallelism}, order: {order}}}";

    static async Task<Harness> DeployedAsync(string yaml)
    {
        var h = new Harness();
        await h.ApplyAsync(Harness.Compile(yaml));
        h.Engine.Calls.Clear();
        h.Engine.Running.Clear();
        return h;
    }

    [Fact]
    public async Task Start_first_in_batches_of_two_keeps_all_four_serving_and_never_runs_more_than_six()
    {
        using var h = await DeployedAsync(Compose("web:1", 4, Update(2, "start-first")));
        var plan = await h.ApplyAsync(Harness.Compile(Compose("web:2", 4, Update(2, "start-first")), "r2"));

        Assert.Equal("service web: replace 4 replicas (rolling, start-first, 2 at a time)", Assert.Single(plan.Steps).Describe());
        Assert.Equal((6, 4), h.Engine.Running["web"]);
        // Batch one: both old replicas step aside, both new ones start, then the old ones go; only then batch two.
        var calls = h.Engine.Calls.Where(c => !c.StartsWith("pull", StringComparison.Ordinal)).Select(c => c.Split(' ')[0] + " " + c.Split(' ')[1]).ToList();
        Assert.Equal(["rename p-web-1", "rename p-web-2", "create p-web-1", "start p-web-1", "create p-web-2", "start p-web-2"], calls.Take(6));
        var firstOfBatchTwo = calls.IndexOf("rename p-web-3");
        Assert.Equal(2, calls.Take(firstOfBatchTwo).Count(c => c.StartsWith("remove p-web-", StringComparison.Ordinal) && c.Contains("-old-", StringComparison.Ordinal)));
        Assert.All(h.Engine.All, c => Assert.Equal("web:2", c.Image));
        Assert.Equal(["p-web-1", "p-web-2", "p-web-3", "p-web-4"], h.Engine.All.Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Stop_first_one_at_a_time_never_has_more_than_one_replica_down_or_more_than_four_up()
    {
        using var h = await DeployedAsync(Compose("web:1", 4, Update(1, "stop-first")));
        var plan = await h.ApplyAsync(Harness.Compile(Compose("web:2", 4, Update(1, "stop-first")), "r2"));

        Assert.Equal("service web: replace 4 replicas (rolling, stop-first, 1 at a time)", Assert.Single(plan.Steps).Describe());
        Assert.Equal((4, 3), h.Engine.Running["web"]);
        var order = h.Engine.Calls.Where(c => c.StartsWith("stop ", StringComparison.Ordinal) || c.StartsWith("start ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["stop p-web-1", "start p-web-1", "stop p-web-2", "start p-web-2", "stop p-web-3", "start p-web-3", "stop p-web-4", "start p-web-4"], order);
        Assert.DoesNotContain(h.Engine.Calls, c => c.StartsWith("rename", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Parallelism_zero_stop_first_replaces_every_replica_in_one_batch()
    {
        using var h = await DeployedAsync(Compose("web:1", 3, Update(0, "stop-first")));
        await h.ApplyAsync(Harness.Compile(Compose("web:2", 3, Update(0, "stop-first")), "r2"));

        Assert.Equal((3, 0), h.Engine.Running["web"]);
        var calls = h.Engine.Calls;
        Assert.True(calls.FindLastIndex(c => c.StartsWith("remove p-web-", StringComparison.Ordinal)) < calls.FindIndex(c => c.StartsWith("create p-web-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_deployment_rounds_surge_up_and_unavailability_down_as_kubernetes_does()
    {
        static string Deployment(string image) => $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 3
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                    - name: web
                      image: {{image}}
            """;
        using var h = new Harness();
        await h.ApplyAsync(Harness.Compile(Deployment("web:1"), "r1", "web.yaml"));
        h.Engine.Running.Clear();
        var plan = await h.ApplyAsync(Harness.Compile(Deployment("web:2"), "r2", "web.yaml"));

        // 25% of 3: surge ceil(0.75) = 1, unavailable floor(0.75) = 0: one extra at a time, none down.
        Assert.Equal("service web: replace 3 replicas (rolling, start-first, 1 at a time)", Assert.Single(plan.Steps).Describe());
        Assert.Equal((4, 3), h.Engine.Running["web"]);
    }

    [Fact]
    public async Task Recreate_stops_every_old_replica_before_any_new_one_starts()
    {
        using var h = await DeployedAsync(Compose("web:1", 3, ""));
        var plan = await h.ApplyAsync(Harness.Compile(Compose("web:2", 3, ""), "r2"));

        Assert.Equal("service web: replace 3 replicas (recreate)", Assert.Single(plan.Steps).Describe());
        Assert.Equal((3, 0), h.Engine.Running["web"]);
        var calls = h.Engine.Calls;
        Assert.True(calls.FindLastIndex(c => c.StartsWith("stop ", StringComparison.Ordinal)) < calls.FindIndex(c => c.StartsWith("start ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Scaling_down_removes_the_highest_replicas_first_and_touches_no_other()
    {
        using var h = await DeployedAsync(Compose("web:1", 4, ""));
        await h.ApplyAsync(Harness.Compile(Compose("web:1", 2, ""), "r2"));

        Assert.Equal(["stop p-web-3", "remove p-web-3", "stop p-web-4", "remove p-web-4"], h.Engine.Calls);
        Assert.Equal(["p-web-1", "p-web-2"], h.Engine.All.Select(c => c.Name).Order(StringComparer.Ordinal));
    }
}
