using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

[Collection(EngineCollection.Name)]
public sealed class RestartPolicyTests(DaemonFixture d)
{
    [Fact]
    public void On_failure_restarts_up_to_the_maximum()
    {
        var id = d.Ok("run", "-d", "--restart", "on-failure:3", "bb", "sh", "-c", "echo run; exit 1");
        Gitops.Eventually(() => d.Ok("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", id) == "3 exited",
            TimeSpan.FromSeconds(30), "three restarts then exited");
        Assert.Equal("run\nrun\nrun\nrun", d.Ok("logs", id));
        d.Ok("rm", id);
    }

    [Fact]
    public void On_failure_leaves_a_clean_exit_alone()
    {
        var id = d.Ok("run", "-d", "--restart", "on-failure", "bb", "true");
        d.Ok("wait", id);
        Thread.Sleep(500);
        Assert.Equal("0 exited", d.Ok("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", id));
        d.Ok("rm", id);
    }

    [Fact]
    public void Always_restarts_until_stopped_by_hand()
    {
        var id = d.Ok("run", "-d", "--restart", "always", "bb", "sh", "-c", "sleep 0.2");
        Gitops.Eventually(() => int.Parse(d.Ok("inspect", "-f", "{{.RestartCount}}", id)) >= 2, TimeSpan.FromSeconds(30), "two restarts");
        d.Ok("stop", id);
        var count = d.Ok("inspect", "-f", "{{.RestartCount}}", id);
        Thread.Sleep(1000);
        Assert.Equal(count, d.Ok("inspect", "-f", "{{.RestartCount}}", id));
        Assert.Equal("exited", d.Ok("inspect", "-f", "{{.State.Status}}", id));
        d.Ok("rm", id);
    }

    [Fact]
    public void Restart_and_rm_together_are_refused()
    {
        var r = d.Cli("run", "--rm", "--restart", "always", "bb", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("Conflicting options: --restart and --rm", r.Stderr);
    }
}
