using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Security;

/// <summary>
/// Attacks on the seccomp filter and the keyrings, from a static probe inside real containers: what
/// Docker's default profile blocks is blocked (EPERM, ENOSYS where Docker returns it), for the
/// container's processes and for exec sessions alike; unconfined and privileged are not filtered;
/// a custom profile file works; no keyring is shared with the host or another container.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class SeccompTests(DaemonFixture d)
{
    static readonly string[] Blocked = ["unshare_newuser", "keyctl", "add_key", "io_uring_setup", "userfaultfd", "perf_event_open", "personality_bsd"];

    string[] Run(params string[] args) => ["run", "--rm", .. Probe.Volume, .. args];

    [Fact]
    public void The_default_profile_blocks_new_user_namespaces_keyrings_io_uring_userfaultfd_and_perf_with_eperm()
    {
        var r = Probe.Results(d.Ok(Run("bb", "/p/probe", "syscalls")));
        foreach (var call in Blocked) Assert.Equal((call, "EPERM"), (call, r[call]));
        // Docker's profile answers clone3 with ENOSYS (libc falls back to clone, whose flags it can check),
        // and calls newer than the profile get ENOSYS from the prologue, not EPERM.
        Assert.Equal("ENOSYS", r["clone3"]);
        Assert.Equal("ENOSYS", r["nr1000"]);
        Assert.Equal("ok", r["personality_query"]);
        Assert.Equal("ok", r["getpid"]);
        var status = d.Ok("run", "--rm", "bb", "grep", "-E", "^(Seccomp|NoNewPrivs)", "/proc/self/status");
        Assert.Contains("Seccomp:\t2", status);
        Assert.Contains("NoNewPrivs:\t1", status);
    }

    [Theory]
    [InlineData("--security-opt", "seccomp=unconfined")]
    [InlineData("--security-opt", "seccomp:unconfined")]
    [InlineData("--privileged", null)]
    public void Unconfined_and_privileged_containers_are_not_filtered(string flag, string? value)
    {
        string[] opts = value is null ? [flag] : [flag, value];
        var r = Probe.Results(d.Ok(Run([.. opts, "bb", "/p/probe", "syscalls"])));
        foreach (var call in new[] { "unshare_newuser", "keyctl", "add_key", "io_uring_setup", "userfaultfd", "personality_bsd" })
            Assert.Equal((call, "ok"), (call, r[call]));
        Assert.Equal("EINVAL", r["clone3"]); // the kernel's own answer to a NULL clone_args
        Assert.Contains("Seccomp:\t0", d.Ok(["run", "--rm", .. opts, "bb", "grep", "^Seccomp:", "/proc/self/status"]));
        if (flag == "--privileged") Assert.Equal("ok", r["perf_event_open"]); // CAP_PERFMON
    }

    [Fact]
    public void A_custom_profile_file_is_sent_as_json_applied_and_shown_by_inspect()
    {
        var file = Path.Combine(d.Dir, "profile.json");
        File.WriteAllText(file, """
            {
              "defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [
                { "names": ["keyctl", "add_key"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
                { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22 }
              ]
            }
            """);
        var id = d.Ok(["create", .. Probe.Volume, "--security-opt", $"seccomp={file}", "bb", "/p/probe", "syscalls"]);
        try
        {
            var opts = d.Ok("inspect", "-f", "{{json .HostConfig.SecurityOpt}}", id);
            Assert.Equal("""["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"keyctl\",\"add_key\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":22}]}"]""", opts);
            var r = Probe.Results(d.Ok("start", "-a", id));
            Assert.Equal("EACCES", r["keyctl"]);
            Assert.Equal("EACCES", r["add_key"]);
            Assert.Equal("EINVAL", r["getpid"]);
            Assert.Equal("ok", r["io_uring_setup"]); // allowed by this profile's default
            Assert.Equal("ENOSYS", r["nr1000"]); // the kernel's: an allow-by-default profile has no prologue
        }
        finally { d.Cli("rm", "-f", id); }
    }

    [Fact]
    public void A_bad_profile_is_refused_with_its_position_by_the_cli_and_the_daemon()
    {
        var file = Path.Combine(d.Dir, "broken.json");
        File.WriteAllText(file, "{\n  \"defaultAction\": SCMP_ACT_ERRNO\n}\n");
        var cli = d.Cli("run", "--rm", "--security-opt", $"seccomp={file}", "bb", "true");
        Assert.Equal(125, cli.ExitCode);
        Assert.Contains($"compacting json for seccomp profile ({file}) failed: line 2, column 20: not valid JSON", cli.Stderr);
        Assert.Contains("opening seccomp profile (/nonexistent.json) failed", d.Cli("run", "--rm", "--security-opt", "seccomp=/nonexistent.json", "bb", "true").Stderr);

        var before = d.Ok("ps", "-aq").Length;
        var (status, body) = Api.Post(d, "containers/create", """{"Image":"bb","HostConfig":{"SecurityOpt":["seccomp={\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_SAME\"}]}]}"]}}""");
        Assert.Equal(400, status);
        Assert.Contains("invalid seccomp profile: syscall read: unknown operator \\u0022SCMP_CMP_SAME\\u0022", body.Replace("\\\"", "\\u0022"));
        (status, body) = Api.Post(d, "containers/create", """{"Image":"bb","HostConfig":{"SecurityOpt":["seccomp={\"defaultAction\": 5}"]}}""");
        Assert.Equal(400, status);
        Assert.Contains("invalid seccomp profile: line 1, column 20 ($.defaultAction): defaultAction must be a string", body);
        Assert.Equal(before, d.Ok("ps", "-aq").Length); // nothing half-created
    }

    [Fact]
    public void Exec_sessions_get_the_containers_filter_capabilities_no_new_privs_and_keyring()
    {
        var id = d.Ok(["run", "-d", .. Probe.Volume, "--cap-add", "SYS_PTRACE", "--cap-drop", "NET_RAW", "bb", "sleep", "300"]);
        try
        {
            var main = d.Ok("exec", id, "cat", "/proc/1/status").Split('\n');
            var exec = d.Ok("exec", id, "cat", "/proc/self/status").Split('\n');
            foreach (var field in new[] { "CapEff:", "CapBnd:", "NoNewPrivs:", "Seccomp:" })
                Assert.Equal(main.Single(l => l.StartsWith(field, StringComparison.Ordinal)), exec.Single(l => l.StartsWith(field, StringComparison.Ordinal)));
            Assert.Contains("Seccomp:\t2", exec);
            var bnd = Convert.ToUInt64(exec.Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal)).Split('\t')[1], 16);
            Assert.NotEqual(0UL, bnd & (1UL << 19)); // CAP_SYS_PTRACE, added
            Assert.Equal(0UL, bnd & (1UL << 13)); // CAP_NET_RAW, dropped
            var r = Probe.Results(d.Ok("exec", id, "/p/probe", "syscalls"));
            foreach (var call in Blocked) Assert.Equal((call, "EPERM"), (call, r[call]));
            // exec --privileged: every capability, the container's filter all the same (as Docker).
            var privileged = d.Ok("exec", "--privileged", id, "grep", "-E", "^(CapEff|Seccomp):", "/proc/self/status");
            Assert.Contains("Seccomp:\t2", privileged);
            Assert.DoesNotContain("CapEff:\t00000000a80425fb", privileged);
        }
        finally { d.Cli("rm", "-f", id); }
    }

    [Fact]
    public void No_keyring_is_shared_with_the_host_or_another_container()
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        // Root's user-session keyring is the session keyring of every root process without one of its own,
        // which is what the daemon's containers used to see.
        var hostKey = Probe.OnHost("keyadd", "us", "host-" + tag);
        Assert.True(long.TryParse(hostKey, out _), hostKey);
        string? a = null, b = null;
        try
        {
            // With the default profile the keyring calls are not even reachable.
            Assert.Equal("EPERM", d.Ok(["run", "--rm", .. Probe.Volume, "bb", "/p/probe", "keyfind", "host-" + tag]));
            a = d.Ok(["run", "-d", .. Probe.Volume, "--security-opt", "seccomp=unconfined", "bb", "sleep", "300"]);
            b = d.Ok(["run", "-d", .. Probe.Volume, "--security-opt", "seccomp=unconfined", "bb", "sleep", "300"]);
            // Unconfined, each container has a session keyring of its own, named as runc names it.
            Assert.StartsWith($"keyring;0;0;", d.Ok("exec", a, "/p/probe", "keydesc"));
            Assert.EndsWith($";_ses.{a}", d.Ok("exec", a, "/p/probe", "keydesc"));
            Assert.Equal("ENOKEY", d.Ok("exec", a, "/p/probe", "keyfind", "host-" + tag));
            Assert.True(long.TryParse(d.Ok("exec", a, "/p/probe", "keyadd", "s", "a-" + tag), out _));
            // Exec sessions join the container's keyring; nobody else sees what is in it.
            Assert.Equal("found", d.Ok("exec", a, "/p/probe", "keyfind", "a-" + tag));
            Assert.Equal("ENOKEY", d.Ok("exec", b, "/p/probe", "keyfind", "a-" + tag));
            Assert.Equal("ENOKEY", Probe.OnHost("keyfind", "a-" + tag));
            Assert.Equal("found", Probe.OnHost("keyfind", "host-" + tag));
        }
        finally
        {
            Probe.OnHost("keyrm", hostKey);
            if (a is not null) d.Cli("rm", "-f", a);
            if (b is not null) d.Cli("rm", "-f", b);
        }
    }
}
