using System.Text.RegularExpressions;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

[Collection(EngineCollection.Name)]
public sealed class LogsAndExecTests(DaemonFixture d)
{
    [Fact]
    public void Logs_tail_timestamps_and_streams()
    {
        var id = d.Ok("run", "-d", "bb", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i; done; echo oops >&2");
        d.Ok("wait", id);
        var all = d.Cli("logs", id);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"line {i}"), all.Out.Split('\n'));
        Assert.Equal("oops", all.Stderr.Trim());
        Assert.Equal(["line 9", "line 10"], d.Cli("logs", "--tail", "3", id).Out.Split('\n').Take(2));
        var stamped = d.Ok("logs", "-t", "--tail", "2", id).Split('\n');
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 10$", stamped[0]);
        Assert.Contains("{\"log\":\"line 1\\n\",\"stream\":\"stdout\",\"time\":\"", File.ReadAllText(Path.Combine(d.Root, "containers", id, id + "-json.log")));
        d.Ok("rm", id);
    }

    [Fact]
    public void Logs_follow_until_the_container_exits()
    {
        var id = d.Ok("run", "-d", "bb", "sh", "-c", "echo first; sleep 1; echo second; sleep 1; echo third");
        var follow = d.Cli("logs", "-f", id);
        Assert.Equal(0, follow.ExitCode);
        Assert.Equal("first\nsecond\nthird", follow.Out);
        d.Ok("rm", id);
    }

    [Fact]
    public void Exec_joins_the_containers_namespaces()
    {
        var id = d.Ok("run", "-d", "bb", "sh", "-c", "echo marker > /tmp/m; sleep 60; :");
        try
        {
            var ps = d.Ok("exec", id, "ps", "-o", "pid,args");
            Assert.Matches(@"(?m)^\s*1 sh -c echo marker", ps);
            Assert.Equal("marker", d.Ok("exec", id, "cat", "/tmp/m"));
            Assert.Equal(id[..12], d.Ok("exec", id, "hostname"));
            // Only the container's processes are visible to the exec'd one, with the container's small PIDs.
            var pids = d.Ok("exec", id, "ps", "-o", "pid").Split('\n').Skip(1).Select(int.Parse).ToList();
            Assert.Equal(3, pids.Count); // sh (PID 1), sleep, ps
            Assert.All(pids, p => Assert.True(p < 100));
            Assert.Equal("uid=1000(user) gid=1000(user) groups=10(wheel),1000(user)", d.Ok("exec", "-u", "user", id, "id"));
            Assert.Equal("/etc 5", d.Ok("exec", "-w", "/etc", "-e", "X=5", id, "sh", "-c", "echo $(pwd) $X"));
            Assert.Equal(3, d.Cli("exec", id, "sh", "-c", "exit 3").ExitCode);
            Assert.Equal("piped", d.CliWithInput("piped\n", "exec", "-i", id, "cat").Out);
            var missing = d.Cli("exec", id, "nope");
            Assert.Equal(127, missing.ExitCode);
            Assert.Contains("executable file not found", missing.Stderr);
            // The exec'd process is in the container's cgroup.
            var cgroup = d.Ok("exec", id, "cat", "/proc/self/cgroup");
            Assert.All(cgroup.Split('\n'), l => Assert.EndsWith(":/", l));
        }
        finally { d.Cli("rm", "-f", id); }
        var stopped = d.Cli("exec", id, "true");
        Assert.NotEqual(0, stopped.ExitCode);
    }

    [Fact]
    public void Detached_exec_runs_in_the_background()
    {
        var id = d.Ok("run", "-d", "bb", "sleep", "60");
        try
        {
            d.Ok("exec", "-d", id, "sh", "-c", "echo bg > /tmp/bg");
            Gitops.Eventually(() => d.Cli("exec", id, "cat", "/tmp/bg").Out == "bg", TimeSpan.FromSeconds(10), "the detached exec");
        }
        finally { d.Cli("rm", "-f", id); }
    }

    [Fact]
    public void Run_passes_everything_after_the_image_to_the_container()
    {
        Assert.Equal("-la --name x", d.Ok("run", "--rm", "bb", "echo", "-la", "--name", "x"));
        Assert.Equal("1 -e --rm", d.Ok("run", "--rm", "-e", "Y=1", "bb", "sh", "-c", "echo $Y $0 $1", "-e", "--rm"));
    }
}
