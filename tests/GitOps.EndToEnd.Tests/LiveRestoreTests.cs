using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>kill -9 of the daemon must not touch the containers, and the next daemon adopts them.</summary>
public sealed class LiveRestoreTests : IClassFixture<DaemonFixture>
{
    readonly DaemonFixture d;

    public LiveRestoreTests(DaemonFixture fixture) => d = fixture;

    [Fact]
    public void Containers_survive_a_daemon_kill_and_are_re_adopted_without_losing_a_line()
    {
        var id = d.Ok("run", "-d", "--name", "counter", "bb", "sh", "-c", "i=0; while true; do echo line $i; i=$((i+1)); usleep 20000; done");
        var quiet = d.Ok("run", "-d", "--name", "quiet", "bb", "sleep", "300");
        var pid = int.Parse(d.Ok("inspect", "-f", "{{.State.Pid}}", id));
        Thread.Sleep(500);

        d.KillDaemon();
        Thread.Sleep(1500); // the container writes on while no one reads
        Assert.True(Directory.Exists($"/proc/{pid}"), "the container died with the daemon");
        d.StartDaemon();

        var ps = d.Ok("ps", "--format", "{{.Names}} {{.State}}").Split('\n');
        Assert.Contains("counter running", ps);
        Assert.Contains("quiet running", ps);
        Thread.Sleep(500);

        var numbers = d.Ok("logs", "counter").Split('\n').Select(l => int.Parse(l[5..])).ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers); // no gap, no duplicate
        Assert.True(numbers.Count > 50, $"only {numbers.Count} lines");

        // exec, stop and exit codes still work on an adopted container.
        Assert.Equal("adopted", d.Ok("exec", "quiet", "echo", "adopted"));
        d.Ok("stop", "-t", "1", "counter");
        Assert.Equal("exited 137", d.Ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "counter"));
        d.Ok("kill", "-s", "TERM", "quiet"); // PID 1 ignores TERM: still running
        Thread.Sleep(300);
        Assert.Equal("running", d.Ok("inspect", "-f", "{{.State.Status}}", "quiet"));
        d.Ok("kill", "quiet");
        Assert.Equal("137", d.Ok("wait", "quiet"));
        Assert.Empty(d.CgroupDirs());
        d.Ok("rm", "counter", "quiet");
    }

    [Fact]
    public void A_container_that_died_while_the_daemon_was_down_is_restarted_by_its_policy()
    {
        var id = d.Ok("run", "-d", "--restart", "always", "--name", "phoenix", "bb", "sleep", "300");
        var pid = int.Parse(d.Ok("inspect", "-f", "{{.State.Pid}}", id));
        d.KillDaemon();
        Gitops.Exec("/bin/kill", null, null, DaemonFixture.Timeout, "-9", pid.ToString());
        Gitops.Eventually(() => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "), TimeSpan.FromSeconds(10), "the container to die");
        d.StartDaemon();
        Gitops.Eventually(() => d.Cli("inspect", "-f", "{{.State.Running}}", id).Out == "true", TimeSpan.FromSeconds(10), "the restart");
        Assert.NotEqual(pid.ToString(), d.Ok("inspect", "-f", "{{.State.Pid}}", id));
        d.Ok("rm", "-f", id);
    }
}

/// <summary>Two daemons with their own roots and sockets run side by side without meeting.</summary>
public sealed class SideBySideTests : IClassFixture<DaemonFixture>, IDisposable
{
    readonly DaemonFixture a;
    readonly DaemonFixture b = new();

    public SideBySideTests(DaemonFixture fixture) => a = fixture;

    public void Dispose() => b.Dispose();

    [Fact]
    public void Each_daemon_sees_only_its_own_containers_and_cgroups()
    {
        var x = a.Ok("run", "-d", "--name", "same-name", "bb", "sleep", "60");
        var y = b.Ok("run", "-d", "--name", "same-name", "bb", "sleep", "60");
        Assert.NotEqual(a.InstanceName, b.InstanceName);
        Assert.Equal(x[..12], a.Ok("ps", "-q"));
        Assert.Equal(y[..12], b.Ok("ps", "-q"));
        Assert.Single(a.CgroupDirs());
        Assert.Single(b.CgroupDirs());
        a.Ok("rm", "-f", "same-name");
        Assert.Equal("true", b.Ok("inspect", "-f", "{{.State.Running}}", "same-name"));
        b.Ok("rm", "-f", "same-name");
    }

    [Fact]
    public void A_second_daemon_on_the_same_root_is_refused()
    {
        var r = Gitops.Run(null, null, DaemonFixture.Timeout, "daemon", "--root", a.Root, "--socket", Path.Combine(a.Dir, "other.sock"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"another gitops daemon is using {a.Root}", r.Stderr);
    }
}
