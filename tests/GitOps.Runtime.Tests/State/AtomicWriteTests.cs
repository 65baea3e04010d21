using GitOps.Runtime.Containers;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Tests.State;

public sealed class AtomicWriteTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gitops-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_failed_write_keeps_the_old_content_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_dir, "state.json");
        AtomicFile.Write(path, "old"u8);
        // A directory where the temporary file's rename must land: the move fails after the temporary file is written.
        var blocked = Path.Combine(_dir, "blocked");
        Directory.CreateDirectory(Path.Combine(blocked, "child"));
        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(blocked, "new"u8));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void CreateNew_never_replaces_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_dir, "node.key");
        Assert.True(AtomicFile.CreateNew(path, "first"u8));
        Assert.False(AtomicFile.CreateNew(path, "second"u8));
        Assert.Equal("first", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }
}

public sealed class CreateRequestLimitsTests
{
    static string Error(CreateRequest req) => Assert.Throws<InvalidArgumentException>(() => CreateRequestLimits.Check(req)).Message;

    [Fact]
    public void Execve_bounds_are_checked_at_create()
    {
        CreateRequestLimits.Check(new CreateRequest { Image = "bb", Env = Enumerable.Range(0, 40_000).Select(i => $"V{i}=x").ToList() });
        Assert.Contains("ARG_MAX", Error(new CreateRequest { Image = "bb", Env = Enumerable.Range(0, 200_000).Select(i => $"VAR_{i:D6}=value").ToList() }));
        Assert.Contains("MAX_ARG_STRLEN", Error(new CreateRequest { Image = "bb", Cmd = ["echo", new string('x', 200_000)] }));
        Assert.Contains("Env[1] is null", Error(new CreateRequest { Image = "bb", Env = ["A=1", null!] }));
    }

    [Fact]
    public void Start_time_failures_fail_at_create_all_at_once()
    {
        var req = new CreateRequest
        {
            Image = "bb", Hostname = new string('h', 65),
            Labels = new() { ["big"] = new string('l', 300_000) },
            HostConfig = new HostConfig
            {
                RestartPolicy = new RestartPolicy("sometimes"), CapAdd = ["NET_NOPE", "1"], LogMaxFiles = 0,
                PortBindings = new() { ["80/tcp"] = [new Networking.PortBindingRequest { HostIp = "::1", HostPort = "70000" }] },
            },
        };
        var message = Error(req);
        foreach (var expected in new[] { "HOST_NAME_MAX", "256 KiB", "invalid restart policy", "unknown capability: \"NET_NOPE\"", "unknown capability: \"1\"",
                     "max-file", "invalid host IP \"::1\"", "invalid host port \"70000\"" })
            Assert.Contains(expected, message);
        CreateRequestLimits.Check(new CreateRequest { Image = "bb", HostConfig = new HostConfig { CapAdd = ["CAP_NET_ADMIN", "all"], RestartPolicy = new RestartPolicy("on-failure", 3) } });
    }
}
