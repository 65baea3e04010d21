using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

[Collection(EngineCollection.Name)]
public sealed class ResourceLimitTests(DaemonFixture d)
{
    string Cgroup(string hierarchy, string id, string file) =>
        File.ReadAllText(Path.Combine("/sys/fs/cgroup", hierarchy, d.InstanceName, id, file)).Trim();

    [Fact]
    public void Memory_limit_kills_with_oom_and_says_so()
    {
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        // The string doubles until the cgroup's 16 MiB are gone.
        var r = d.Cli("run", "--memory", "16m", "--name", "oom-" + since, "bb", "sh", "-c", "a=xxxxxxxxxxxxxxxx; while true; do a=\"$a$a\"; done");
        Assert.Equal(137, r.ExitCode);
        Assert.Equal("true 137", d.Ok("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "oom-" + since));
        var events = d.Ok("events", "--since", since.ToString(), "--until", (since + 120).ToString(), "--filter", "container=oom-" + since, "--format", "{{.Action}}");
        Assert.Contains("oom", events.Split('\n'));
        d.Ok("rm", "oom-" + since);
    }

    [Fact]
    public void Limits_are_written_to_the_containers_cgroup()
    {
        var id = d.Ok("run", "-d", "--memory", "32m", "--cpus", "0.5", "--pids-limit", "50", "--cpu-shares", "512", "bb", "sleep", "60");
        try
        {
            Assert.Equal((32 << 20).ToString(), Cgroup("memory", id, "memory.limit_in_bytes"));
            Assert.Equal("50000", Cgroup("cpu", id, "cpu.cfs_quota_us"));
            Assert.Equal("100000", Cgroup("cpu", id, "cpu.cfs_period_us"));
            Assert.Equal("512", Cgroup("cpu", id, "cpu.shares"));
            Assert.Equal("50", Cgroup("pids", id, "pids.max"));
            var pid = d.Ok("inspect", "-f", "{{.State.Pid}}", id);
            Assert.Contains(pid, Cgroup("pids", id, "cgroup.procs").Split('\n'));
        }
        finally { d.Cli("rm", "-f", id); }
    }

    [Fact]
    public void A_fork_bomb_is_stopped_by_the_pids_limit()
    {
        // exec: the container's main process must not need a fork of its own once the limit is reached,
        // or it exits ("can't fork") and takes the cgroup the test reads with it.
        var id = d.Ok("run", "-d", "--pids-limit", "20", "bb", "sh", "-c", "f() { f | f & }; f; exec sleep 60");
        try
        {
            Thread.Sleep(1500);
            Assert.True(int.Parse(Cgroup("pids", id, "pids.current")) <= 20);
            Assert.True(long.Parse(File.ReadAllText(Path.Combine("/sys/fs/cgroup/pids", d.InstanceName, id, "pids.events")).Split(' ')[1]) > 0,
                "the limit should have refused forks");
            // The host is still responsive and the whole tree goes with rm -f.
            Assert.Equal("ok", d.Ok("run", "--rm", "bb", "echo", "ok"));
        }
        finally { d.Ok("rm", "-f", id); }
        Assert.DoesNotContain(d.CgroupDirs(), c => c.EndsWith(id));
    }
}
