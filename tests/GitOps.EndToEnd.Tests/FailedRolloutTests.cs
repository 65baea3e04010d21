using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>
/// A revision whose new replica never becomes healthy: the old replica keeps serving under its name, and
/// polls do not try the same revision again (each try would start and kill a replica, moving the serving one
/// aside meanwhile) until a new commit arrives or the user asks.
/// </summary>
public sealed class FailedRolloutTests(PublishingFixture d) : IClassFixture<PublishingFixture>
{
    static string Stack(string check) => $$"""
        services:
          web:
            image: bb
            command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www"]
            healthcheck: { test: ["CMD", "{{check}}"], interval: 1s, timeout: 1s, retries: 1 }
            deploy:
              update_config: { order: start-first }

        """;

    JsonElement Status(string app)
    {
        using var doc = JsonDocument.Parse(d.Ok("status", "-o", "json", app));
        return doc.RootElement[0].Clone();
    }

    string Names(string app) => d.Ok("ps", "-a", "--filter", $"label=gitops.app={app}", "--format", "{{.Names}}");

    [Fact]
    public void A_failed_start_first_rollout_keeps_the_old_replica_and_polls_leave_the_revision_alone()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-failed"));
        var v1 = repo.Commit("v1", ("docker-stack.yml", Stack("true")));
        d.Ok("app", "add", "fr", "--repo", repo.Dir, "--branch", "main", "--interval", "1s");
        Gitops.Eventually(() => Status("fr").GetProperty("revision").GetString() == v1 && Status("fr").GetProperty("sync").GetString() == "Synced",
            TimeSpan.FromSeconds(60), "v1 to be applied");
        var old = d.Ok("inspect", "-f", "{{.Id}}", "fr-web-1");

        var v2 = repo.Commit("v2: a check that fails", ("docker-stack.yml", Stack("false")));
        Gitops.Eventually(() => Status("fr") is var s && s.GetProperty("sync").GetString() == "Failed" && s.TryGetProperty("failedRevision", out var f) && f.GetString() == v2,
            TimeSpan.FromSeconds(60), $"the rollout of v2 to fail; log:\n{File.ReadAllText(d.DaemonLog)}");
        Assert.Contains("not retried until a new commit", Status("fr").GetProperty("message").GetString());

        // Several polls later (one a second), nothing was started again: the old replica serves under its own name.
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(old, d.Ok("inspect", "-f", "{{.Id}}", "fr-web-1"));
            Assert.Equal("fr-web-1", Names("fr"));
            Thread.Sleep(500);
        }
        Assert.Equal("Failed", Status("fr").GetProperty("sync").GetString());
        Assert.Equal(v1, Status("fr").GetProperty("revision").GetString());

        // The user may ask: the rollout is tried once more, fails the same way, and gives the old replica back.
        var retry = d.Cli("sync", "fr");
        Assert.NotEqual(0, retry.ExitCode);
        Assert.Contains("unhealthy", retry.Stdout + retry.Stderr);
        Assert.Equal(old, d.Ok("inspect", "-f", "{{.Id}}", "fr-web-1"));
        Assert.Equal("fr-web-1", Names("fr"));

        // A new commit is tried at the next poll.
        var v3 = repo.Commit("v3: fixed", ("docker-stack.yml", Stack("true").Replace("echo ok", "echo v3")));
        Gitops.Eventually(() => Status("fr") is var s && s.GetProperty("revision").GetString() == v3 && s.GetProperty("sync").GetString() == "Synced",
            TimeSpan.FromSeconds(60), "v3 to be applied");
        Assert.False(Status("fr").TryGetProperty("failedRevision", out _));
        Assert.NotEqual(old, d.Ok("inspect", "-f", "{{.Id}}", "fr-web-1"));
        d.Ok("app", "rm", "--remove-resources", "fr");
    }
}
