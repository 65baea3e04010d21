using GitOps.Runtime;
using GitOps.Runtime.Containers;

namespace GitOps.Runtime.Tests.Containers;

/// <summary>Docker's CMD/ENTRYPOINT table, row by row, as the seed document gives it.</summary>
public sealed class CommandResolverTests
{
    static readonly string[] ExecCmd = ["exec_cmd", "p1_cmd"];
    static readonly string[] ParamCmd = ["p1_cmd", "p2_cmd"];
    static readonly string[] ShellCmd = ["/bin/sh", "-c", "exec_cmd p1_cmd"];
    static readonly string[] ShellEntry = ["/bin/sh", "-c", "exec_entry p1_entry"];
    static readonly string[] ExecEntry = ["exec_entry", "p1_entry"];

    static IReadOnlyList<string> Resolve(string[]? entry, string[]? cmd, string[]? entryOverride = null, string[]? cmdOverride = null) =>
        CommandResolver.Resolve(entry, cmd, entryOverride, cmdOverride).Command;

    [Fact]
    public void No_entrypoint_and_no_cmd_is_an_error()
    {
        var e = Assert.Throws<InvalidArgumentException>(() => Resolve(null, null));
        Assert.Equal("no command specified", e.Message);
    }

    [Fact]
    public void No_entrypoint_runs_cmd_as_given()
    {
        Assert.Equal(ExecCmd, Resolve(null, ExecCmd));
        Assert.Equal(ParamCmd, Resolve(null, ParamCmd));
        Assert.Equal(ShellCmd, Resolve(null, ShellCmd));
    }

    [Fact]
    public void Shell_entrypoint_runs_its_own_string_whatever_the_cmd()
    {
        // /bin/sh -c "exec_entry p1_entry" [cmd...]: the shell runs only its -c string; what follows
        // becomes $0, $1 of that string and is never executed.
        foreach (var cmd in new[] { null, ExecCmd, ParamCmd, ShellCmd })
        {
            var resolved = Resolve(ShellEntry, cmd);
            Assert.Equal(ShellEntry, resolved.Take(3));
        }
    }

    [Fact]
    public void Exec_entrypoint_gets_cmd_appended()
    {
        Assert.Equal(ExecEntry, Resolve(ExecEntry, null));
        Assert.Equal(["exec_entry", "p1_entry", "exec_cmd", "p1_cmd"], Resolve(ExecEntry, ExecCmd));
        Assert.Equal(["exec_entry", "p1_entry", "p1_cmd", "p2_cmd"], Resolve(ExecEntry, ParamCmd));
        Assert.Equal(["exec_entry", "p1_entry", "/bin/sh", "-c", "exec_cmd p1_cmd"], Resolve(ExecEntry, ShellCmd));
    }

    [Fact]
    public void Run_arguments_replace_cmd_only()
    {
        Assert.Equal(["/bin/ping", "google.com"], Resolve(["/bin/ping"], ["localhost"], cmdOverride: ["google.com"]));
        Assert.Equal(["bash"], Resolve(null, ["/bin/ping", "localhost"], cmdOverride: ["bash"]));
    }

    [Fact]
    public void Entrypoint_override_replaces_entrypoint_and_drops_image_cmd()
    {
        Assert.Equal(["/bin/sh"], Resolve(["/bin/ping"], ["localhost"], entryOverride: ["/bin/sh"]));
        Assert.Equal(["/bin/sh", "-x"], Resolve(["/bin/ping"], ["localhost"], entryOverride: ["/bin/sh"], cmdOverride: ["-x"]));
    }

    [Fact]
    public void Empty_entrypoint_override_resets_it()
    {
        Assert.Equal(["ls"], Resolve(["/bin/ping"], ["localhost"], entryOverride: [""], cmdOverride: ["ls"]));
        Assert.Throws<InvalidArgumentException>(() => Resolve(["/bin/ping"], ["localhost"], entryOverride: [""]));
    }
}
