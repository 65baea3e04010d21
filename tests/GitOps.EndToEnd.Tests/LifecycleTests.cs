using System.Diagnostics;
using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

[Collection(EngineCollection.Name)]
public sealed class LifecycleTests(DaemonFixture d)
{
    [Fact]
    public void Exit_codes_are_the_containers()
    {
        Assert.Equal(42, d.Cli("run", "--rm", "bb", "sh", "-c", "exit 42").ExitCode);
        // PID 1 cannot be killed from inside its namespace; under tini the shell is not PID 1.
        Assert.Equal(137, d.Cli("run", "--rm", "--init", "bb", "sh", "-c", "kill -9 $$").ExitCode);
        var notFound = d.Cli("run", "--rm", "bb", "no-such-command");
        Assert.Equal(127, notFound.ExitCode);
        Assert.Contains("exec: \"no-such-command\": executable file not found in $PATH", notFound.Stderr);
        var notExec = d.Cli("run", "--rm", "bb", "/etc/passwd");
        Assert.Equal(126, notExec.ExitCode);
        Assert.Contains("permission denied", notExec.Stderr);
    }

    [Fact]
    public void Stop_sends_sigterm_then_sigkill_after_the_timeout()
    {
        // sleep as PID 1 has no SIGTERM handler, and PID 1 ignores signals it does not handle.
        var id = d.Ok("run", "-d", "bb", "sleep", "300");
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        var sw = Stopwatch.StartNew();
        Assert.Equal(id, d.Ok("stop", "-t", "2", id));
        sw.Stop();
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(2), $"stopped after {sw.Elapsed}, before the timeout");
        Assert.Equal("exited 137", d.Ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id));
        var events = d.Ok("events", "--since", since.ToString(), "--until", (since + 60).ToString(), "--filter", "container=" + id, "--format", "{{.Action}} {{index .Actor.Attributes \"signal\"}}");
        Assert.Contains("kill 15", events);
        Assert.Contains("kill 9", events);
        d.Ok("rm", id);
    }

    [Fact]
    public void A_process_that_handles_sigterm_stops_at_once_with_its_own_code()
    {
        var id = d.Ok("run", "-d", "bb", "sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done");
        var sw = Stopwatch.StartNew();
        d.Ok("stop", id);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8), $"took {sw.Elapsed}");
        Assert.Equal("3", d.Ok("inspect", "-f", "{{.State.ExitCode}}", id));
        d.Ok("rm", id);
    }

    [Fact]
    public void The_images_stop_signal_is_used()
    {
        var rootfs = d.BusyboxRootfs;
        d.Ok("image", "import", "--change", "STOPSIGNAL SIGUSR1", rootfs, "bb-usr1");
        var id = d.Ok("run", "-d", "bb-usr1", "sh", "-c", "trap 'echo got-usr1; exit 5' USR1; while true; do sleep 0.1; done");
        d.Ok("stop", id);
        Assert.Equal("5", d.Ok("inspect", "-f", "{{.State.ExitCode}}", id));
        Assert.Equal("got-usr1", d.Ok("logs", id));
        d.Ok("rm", id);
    }

    [Fact]
    public void Kill_sends_the_signal_asked_for()
    {
        var id = d.Ok("run", "-d", "bb", "sh", "-c", "trap 'echo hup' HUP; while true; do sleep 0.1; done");
        d.Ok("kill", "-s", "HUP", id);
        Gitops.Eventually(() => d.Cli("logs", id).Out == "hup", TimeSpan.FromSeconds(10), "the trap to run");
        Assert.Equal("true", d.Ok("inspect", "-f", "{{.State.Running}}", id));
        d.Ok("kill", id);
        Assert.Equal("137", d.Ok("wait", id));
        d.Ok("rm", id);
    }

    [Fact]
    public void Names_are_unique_and_ids_resolve_by_any_unique_prefix()
    {
        var name = "uniq-" + Guid.NewGuid().ToString("N")[..8];
        var id = d.Ok("create", "--name", name, "bb", "true");
        Assert.Equal(64, id.Length);
        var dup = d.Cli("create", "--name", name, "bb", "true");
        Assert.Equal(125, dup.ExitCode);
        Assert.Contains($"The container name \"/{name}\" is already in use by container \"{id}\"", dup.Stderr);
        Assert.Equal("/" + name, d.Ok("inspect", "-f", "{{.Name}}", id[..6]));
        Assert.Equal(id, d.Ok("inspect", "-f", "{{.Id}}", name));
        d.Ok("rm", name);
    }

    [Fact]
    public void Inspect_templates_and_json()
    {
        var id = d.Ok("run", "-d", "bb", "sh", "-c", "exit 7");
        Assert.Equal("7", d.Ok("wait", id));
        Assert.Equal("exited", d.Ok("inspect", "-f", "{{.State.Status}}", id));
        Assert.Equal("7", d.Ok("inspect", "-f", "{{.State.ExitCode}}", id));
        using var state = JsonDocument.Parse(d.Ok("inspect", "-f", "{{json .State}}", id));
        Assert.Equal(7, state.RootElement.GetProperty("ExitCode").GetInt32());
        Assert.False(state.RootElement.GetProperty("Running").GetBoolean());
        using var full = JsonDocument.Parse(d.Ok("inspect", id));
        var c = full.RootElement[0];
        Assert.Equal(id, c.GetProperty("Id").GetString());
        Assert.Equal("sh", c.GetProperty("Path").GetString());
        Assert.Equal("bb", c.GetProperty("Config").GetProperty("Image").GetString());
        d.Ok("rm", id);
    }

    [Fact]
    public void Ls_shows_running_by_default_and_filters()
    {
        var name = "ls-" + Guid.NewGuid().ToString("N")[..8];
        var running = d.Ok("run", "-d", "--name", name, "--label", "team=core", "bb", "sleep", "60");
        var exited = d.Ok("run", "-d", "--name", name + "-x", "bb", "true");
        d.Ok("wait", exited);
        var ps = d.Ok("ps");
        Assert.Contains(name, ps);
        Assert.DoesNotContain(name + "-x", ps);
        Assert.StartsWith("CONTAINER ID   IMAGE", ps);
        Assert.Contains(name + "-x", d.Ok("ps", "-a"));
        Assert.Equal(running[..12], d.Ok("ps", "-q", "--filter", "label=team=core"));
        Assert.Equal(exited[..12], d.Ok("ps", "-aq", "--filter", "status=exited", "--filter", "name=" + name + "-x"));
        Assert.Equal(name, d.Ok("container", "ls", "--filter", "id=" + running[..10], "--format", "{{.Names}}"));
        Assert.Contains("Exited (0)", d.Ok("ps", "-a", "--filter", "name=" + name + "-x"));
        d.Ok("rm", "-f", running, exited);
    }

    [Fact]
    public void Rm_refuses_a_running_container_unless_forced_and_leaves_nothing()
    {
        var id = d.Ok("run", "-d", "bb", "sleep", "60");
        var pid = d.Ok("inspect", "-f", "{{.State.Pid}}", id);
        var refused = d.Cli("rm", id);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("container is running: stop the container before removing or force remove", refused.Stderr);
        Assert.Equal("true", d.Ok("inspect", "-f", "{{.State.Running}}", id));
        d.Ok("rm", "-f", id);
        Assert.False(Directory.Exists(Path.Combine(d.Root, "containers", id)));
        Assert.DoesNotContain(d.CgroupDirs(), c => c.EndsWith(id));
        Assert.False(Directory.Exists($"/proc/{pid}"));
        Assert.NotEqual(0, d.Cli("inspect", id).ExitCode);
    }

    [Fact]
    public void Auto_remove_deletes_the_container_when_it_exits()
    {
        var name = "autorm-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal("bye", d.Ok("run", "--rm", "--name", name, "bb", "echo", "bye"));
        Gitops.Eventually(() => d.Cli("inspect", name).ExitCode != 0, TimeSpan.FromSeconds(10), "the container to be removed");
    }

    [Fact]
    public void Environment_workdir_user_hostname_and_entrypoint_flags()
    {
        var envFile = Path.Combine(d.Dir, "app.env");
        File.WriteAllText(envFile, "# comment\nFROM_FILE=yes\nOVERRIDE=file\n");
        var r = d.Ok("run", "--rm", "--env-file", envFile, "-e", "OVERRIDE=flag", "-e", "A=1", "-w", "/work/dir",
            "--hostname", "myhost", "bb", "sh", "-c", "echo $FROM_FILE $OVERRIDE $A $(pwd) $(hostname) $HOME $HOSTNAME");
        Assert.Equal("yes flag 1 /work/dir myhost /root myhost", r);
        // The kernel keeps supplementary groups sorted; the primary group is among them.
        Assert.Equal("uid=1000(user) gid=1000(user) groups=10(wheel),1000(user)", d.Ok("run", "--rm", "-u", "user", "bb", "id"));
        Assert.Equal("hi there", d.Ok("run", "--rm", "--entrypoint", "echo", "bb", "hi", "there"));
        var bad = d.Cli("run", "--rm", "-u", "ghost", "bb", "id");
        Assert.Equal(126, bad.ExitCode);
        Assert.Contains("unable to find user ghost", bad.Stderr);
    }

    [Fact]
    public void Cmd_and_entrypoint_combine_as_in_dockers_table()
    {
        var root = d.BusyboxRootfs;
        d.Ok("image", "import", "-c", "ENTRYPOINT [\"echo\", \"e\"]", "-c", "CMD [\"c\"]", root, "t-exec-entry");
        d.Ok("image", "import", "-c", "ENTRYPOINT echo shell-entry", "-c", "CMD [\"ignored\"]", root, "t-shell-entry");
        d.Ok("image", "import", "-c", "CMD echo shell-cmd $HOSTNAME", root, "t-shell-cmd");
        Assert.Equal("e c", d.Ok("run", "--rm", "t-exec-entry"));
        Assert.Equal("e x y", d.Ok("run", "--rm", "t-exec-entry", "x", "y"));
        Assert.Equal("shell-entry", d.Ok("run", "--rm", "t-shell-entry"));
        Assert.Equal("shell-entry", d.Ok("run", "--rm", "t-shell-entry", "extra"));
        Assert.StartsWith("shell-cmd ", d.Ok("run", "--rm", "t-shell-cmd"));
        Assert.Equal("over", d.Ok("run", "--rm", "--entrypoint", "echo", "t-exec-entry", "over"));
        var none = d.Cli("run", "--rm", "bb");
        Assert.Equal(125, none.ExitCode);
        Assert.Contains("no command specified", none.Stderr);
    }

    [Fact]
    public void Stdin_is_passed_with_interactive()
    {
        var r = d.CliWithInput("hello\nworld\n", "run", "-i", "--rm", "bb", "sh", "-c", "cat; echo done");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("hello\nworld\ndone", r.Out);
        // Without -i the container reads /dev/null.
        Assert.Equal("", d.CliWithInput("ignored\n", "run", "--rm", "bb", "cat").Out);
    }

    [Fact]
    public void Stdout_and_stderr_stay_apart()
    {
        var r = d.Cli("run", "--rm", "bb", "sh", "-c", "echo out; echo err >&2");
        Assert.Equal("out", r.Out);
        Assert.Equal("err", r.Stderr.Trim());
    }

    [Fact]
    public void Restart_and_rename()
    {
        var name = "rs-" + Guid.NewGuid().ToString("N")[..8];
        var id = d.Ok("run", "-d", "--name", name, "bb", "sh", "-c", "echo started; sleep 60");
        var pid1 = d.Ok("inspect", "-f", "{{.State.Pid}}", id);
        d.Ok("restart", "-t", "0", id);
        Assert.NotEqual(pid1, d.Ok("inspect", "-f", "{{.State.Pid}}", id));
        Gitops.Eventually(() => d.Cli("logs", id).Out == "started\nstarted", TimeSpan.FromSeconds(10), "two starts in the log");
        d.Ok("rename", name, name + "-new");
        Assert.Equal("/" + name + "-new", d.Ok("inspect", "-f", "{{.Name}}", id));
        d.Ok("rm", "-f", name + "-new");
    }

    [Fact]
    public void Top_lists_the_containers_processes()
    {
        var id = d.Ok("run", "-d", "bb", "sh", "-c", "sleep 60 & wait");
        Gitops.Eventually(() => d.Cli("top", id).Out.Contains("sleep 60"), TimeSpan.FromSeconds(10), "sleep in top");
        var top = d.Ok("top", id).Split('\n');
        Assert.StartsWith("UID", top[0]);
        Assert.Equal(3, top.Length);
        d.Ok("rm", "-f", id);
    }

    [Fact]
    public void Events_report_the_lifecycle()
    {
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        var id = d.Ok("run", "-d", "bb", "sh", "-c", "exit 9");
        d.Ok("wait", id);
        d.Ok("rm", id);
        var lines = d.Ok("events", "--since", since.ToString(), "--until", (since + 120).ToString(), "--filter", "container=" + id).Split('\n');
        Assert.Equal(["create", "start", "die", "destroy"], lines.Select(l => l.Split(' ')[2]));
        Assert.Contains("exitCode=9", lines[2]);
        Assert.All(lines, l => Assert.Contains($"container", l));
    }
}
