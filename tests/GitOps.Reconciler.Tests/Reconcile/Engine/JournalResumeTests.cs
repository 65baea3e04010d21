using GitOps.Reconciler.Reconcile;
using Xunit;

namespace GitOps.Reconciler.Tests.Reconcile.Engine;

/// <summary>
/// A crash at any engine call of an apply: the journal names the revision owed, and a new executor (a restarted
/// daemon) planning from what the engine has reaches exactly the state of an uninterrupted apply — no replica
/// twice, none left aside, nothing orphaned.
/// </summary>
public sealed class JournalResumeTests
{
    const string V1 = """
        services:
          db:
            image: db:1
            volumes: [data:/data]
          web:
            image: web:1
            depends_on: [db]
            deploy:
              replicas: 3
              update_config: {parallelism: 2, order: start-first}
        volumes:
          data: {}
        """;

    static readonly string V2 = V1.Replace("web:1", "web:2", StringComparison.Ordinal).Replace("db:1", "db:2", StringComparison.Ordinal);

    [Fact]
    public async Task A_first_deploy_cut_short_at_any_call_resumes_to_the_same_state()
    {
        var desired = Harness.Compile(V1);
        using var clean = new Harness();
        await clean.ApplyAsync(desired);
        var calls = clean.Engine.Mutations;
        Assert.True(calls >= 10, $"{calls} calls");

        for (var k = 1; k <= calls; k++)
        {
            using var h = new Harness();
            h.Engine.FailAt = k;
            await Assert.ThrowsAsync<ApplyException>(() => h.ApplyAsync(desired));
            var pending = new Journal(h.JournalPath).Pending();
            Assert.NotNull(pending);
            Assert.Equal("r1", pending.Revision);
            Assert.True(pending.Done < pending.Steps.Count, $"crash at call {k}: journal says done");

            h.Engine.FailAt = null;
            await h.ApplyAsync(desired);
            AssertSame(clean, h, k, desired);
        }
    }

    [Fact]
    public async Task A_start_first_update_cut_short_at_any_call_resumes_to_the_same_state()
    {
        var v2 = Harness.Compile(V2, "r2");
        using var clean = new Harness();
        await clean.ApplyAsync(Harness.Compile(V1));
        var before = clean.Engine.Mutations;
        await clean.ApplyAsync(v2);
        var calls = clean.Engine.Mutations - before;

        for (var k = 1; k <= calls; k++)
        {
            using var h = new Harness();
            await h.ApplyAsync(Harness.Compile(V1));
            h.Engine.FailAt = h.Engine.Mutations + k;
            await Assert.ThrowsAsync<ApplyException>(() => h.ApplyAsync(v2));
            Assert.Equal("r2", new Journal(h.JournalPath).Pending()?.Revision);
            // While cut short, every replica slot is served by exactly one container (the new or the old one, never neither).
            Assert.All(new[] { "p-web-1", "p-web-2", "p-web-3" }, name => Assert.True(h.Engine.Container(name) is { Running: true } || h.Engine.All.Any(c => c.Name.StartsWith(name + "-old-", StringComparison.Ordinal) && c.Running),
                $"crash at call {k}: {name} not served"));

            h.Engine.FailAt = null;
            await h.ApplyAsync(v2);
            AssertSame(clean, h, k, v2);
        }
    }

    static void AssertSame(Harness clean, Harness h, int k, DesiredApp desired)
    {
        Assert.True(clean.Snapshot().SequenceEqual(h.Snapshot()), $"crash at call {k}: {string.Join(", ", h.Snapshot())} instead of {string.Join(", ", clean.Snapshot())}");
        Assert.Equal(clean.Engine.VolumeNames.Order(StringComparer.Ordinal), h.Engine.VolumeNames.Order(StringComparer.Ordinal));
        Assert.Equal(clean.Engine.NetworkNames.Order(StringComparer.Ordinal), h.Engine.NetworkNames.Order(StringComparer.Ordinal));
        Assert.Null(new Journal(h.JournalPath).Pending());
        Assert.True(h.Plan(desired).IsEmpty, $"crash at call {k}: still to do after the resume");
    }
}
