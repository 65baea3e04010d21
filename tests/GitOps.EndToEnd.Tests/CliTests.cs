using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

[Collection(EngineCollection.Name)]
public sealed class CliTests(DaemonFixture d)
{
    [Fact]
    public void Version_shows_client_and_server()
    {
        var v = d.Ok("version");
        Assert.Contains("Client:", v);
        Assert.Contains("Server:", v);
        Assert.Contains("Cgroup:", v);
        Assert.Contains(d.Root, v);
    }

    [Fact]
    public void Every_verb_has_help()
    {
        var help = Gitops.Run(null, null, DaemonFixture.Timeout, "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var verb in new[] { "daemon", "container", "image", "run", "ps", "exec", "logs", "events", "version" })
            Assert.Contains(verb, help.Stdout);
        foreach (var verb in new[] { "run", "create", "start", "stop", "restart", "kill", "rm", "ls", "inspect", "logs", "exec", "attach", "diff", "commit", "top", "wait" })
        {
            var r = Gitops.Run(null, null, DaemonFixture.Timeout, "container", verb, "--help");
            Assert.True(r.ExitCode == 0, $"container {verb} --help: {r}");
            Assert.Contains("Usage:", r.Stdout);
        }
        var run = Gitops.Run(null, null, DaemonFixture.Timeout, "run", "--help").Stdout;
        foreach (var flag in new[] { "--detach", "--rm", "--name", "--env", "--env-file", "--workdir", "--user", "--hostname", "--entrypoint", "--memory", "--cpus", "--pids-limit", "--restart", "--init", "--interactive", "--tty" })
            Assert.Contains(flag, run);
        foreach (var verb in new[] { "import", "ls", "rm", "inspect" })
            Assert.Equal(0, Gitops.Run(null, null, DaemonFixture.Timeout, "image", verb, "--help").ExitCode);
    }

    [Fact]
    public void The_api_socket_is_for_root_only()
    {
        var mode = File.GetUnixFileMode(d.Socket);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
        var st = GitOps.Runtime.Linux.Sys.Lstat(d.Socket);
        Assert.Equal((0u, 0u), (st.Uid, st.Gid));
    }

    [Fact]
    public void Info_counts_containers_and_images()
    {
        var info = d.Ok("info");
        Assert.Contains("Storage Driver: overlay", info);
        Assert.Matches(@"Images: \d+", info);
    }
}
