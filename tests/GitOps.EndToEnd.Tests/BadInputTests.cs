using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>Mistakes give one clear line and a non-zero exit, and leave nothing behind.</summary>
[Collection(EngineCollection.Name)]
public sealed class BadInputTests(DaemonFixture d)
{
    (int Containers, int Cgroups, int Mounts) Footprint() =>
        (Directory.GetDirectories(Path.Combine(d.Root, "containers")).Length, d.CgroupDirs().Count,
         File.ReadAllLines("/proc/self/mountinfo").Count(l => l.Contains(d.Root)));

    void NothingLeftBehind(Action act)
    {
        // Other tests of this collection do not run concurrently, so the footprint is ours alone.
        var before = Footprint();
        act();
        Assert.Equal(before, Footprint());
    }

    [Fact]
    public void Unknown_image() => NothingLeftBehind(() =>
    {
        var r = d.Cli("run", "--rm", "--pull", "never", "no-such-image", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("Unable to find image 'no-such-image:latest' locally\ngitops: Error response from daemon: No such image: no-such-image", r.Stderr.Trim());
        // By default run pulls what is missing; that fails too (no such repository, or no registry reachable).
        var pulled = d.Cli("run", "--rm", "no-such-image", "true");
        Assert.Equal(125, pulled.ExitCode);
        var lines = pulled.Stderr.Trim().Split('\n');
        Assert.Equal("Unable to find image 'no-such-image:latest' locally", lines[0]);
        Assert.StartsWith("gitops: Error response from daemon: ", lines[^1]);
    });

    [Fact]
    public void Bad_memory_values() => NothingLeftBehind(() =>
    {
        var r = d.Cli("run", "--rm", "-m", "12zz", "bb", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("gitops: invalid memory value \"12zz\": unknown unit 'z' (use b, k, m, g, t or p)", r.Stderr.Trim());
        var small = d.Cli("run", "--rm", "-m", "1m", "bb", "true");
        Assert.Equal(125, small.ExitCode);
        Assert.Contains("Minimum memory limit allowed is 6MB", small.Stderr);
        Assert.Single(small.Stderr.Trim().Split('\n'));
    });

    [Fact]
    public void Missing_command_and_bad_options() => NothingLeftBehind(() =>
    {
        var r = d.Cli("run", "--rm", "bb");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("gitops: Error response from daemon: no command specified", r.Stderr.Trim());
        Assert.Contains("invalid restart policy \"sometimes\"", d.Cli("run", "--rm", "--restart", "sometimes", "bb", "true").Stderr);
        Assert.Contains("invalid argument \"lots\" for \"--cpus\"", d.Cli("run", "--rm", "--cpus", "lots", "bb", "true").Stderr);
        Assert.Contains("Invalid container name (bad name)", d.Cli("create", "--name", "bad name", "bb", "true").Stderr);
        Assert.Contains("invalid signal: SIGNOPE", d.Cli("run", "--rm", "--stop-signal", "SIGNOPE", "bb", "true").Stderr);
    });

    [Fact]
    public void A_command_that_cannot_start_leaves_nothing_with_rm() => NothingLeftBehind(() =>
    {
        Assert.Equal(127, d.Cli("run", "--rm", "bb", "/nope").ExitCode);
        Assert.Equal(126, d.Cli("run", "--rm", "-w", "/etc/passwd", "bb", "true").ExitCode);
    });

    [Fact]
    public void Operations_on_unknown_containers() => NothingLeftBehind(() =>
    {
        foreach (var verb in new[] { "start", "stop", "kill", "rm", "logs", "inspect", "wait", "top" })
        {
            var r = d.Cli(verb, "ghost-container");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("ghost-container", r.Stderr);
        }
        Assert.Contains("No such container: ghost", d.Cli("rm", "ghost").Stderr);
    });

    [Fact]
    public void A_missing_daemon_is_one_line_that_says_how_to_start_it()
    {
        var r = Gitops.Run(Path.Combine(d.Dir, "nobody-here.sock"), null, DaemonFixture.Timeout, "ps");
        Assert.Equal(1, r.ExitCode);
        var lines = r.Stderr.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains("cannot connect to the gitops daemon", lines[0]);
        Assert.Contains("Start it with: sudo gitops daemon", lines[0]);
    }
}
