using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Security;

/// <summary>--privileged, --pid, --ipc and --device on real containers, and their create-time checks.</summary>
[Collection(EngineCollection.Name)]
public sealed class PrivilegeTests(DaemonFixture d)
{
    static string HostNs(string ns) => new FileInfo($"/proc/self/ns/{ns}").LinkTarget!;

    [Fact]
    public void Privileged_gives_every_capability_and_device_and_unmasks_proc_and_sys()
    {
        // Every capability the kernel knows that the daemon (root, like this test) holds itself.
        var lastCap = int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim());
        var own = Convert.ToUInt64(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))[7..].Trim(), 16);
        var all = (((1UL << (lastCap + 1)) - 1) & own).ToString("x16");
        var r = d.Ok("run", "--rm", "--privileged", "bb", "sh", "-c",
            "grep -E '^(CapEff|CapBnd|Seccomp):' /proc/self/status; ls /dev; wc -c < /proc/timer_list; grep ' /sys ' /proc/mounts; " +
            "grep ' /sys/fs/cgroup/memory ' /proc/mounts; echo gitops > /proc/sys/kernel/domainname && echo WROTE");
        Assert.Contains($"CapEff:\t{all}", r);
        Assert.Contains($"CapBnd:\t{all}", r);
        Assert.Contains("Seccomp:\t0", r);
        var devices = r.Split('\n');
        // Host devices beyond the OCI defaults (the same ones runc's HostDevices finds).
        foreach (var dev in new[] { "kmsg", "loop-control", "fuse" }.Where(n => File.Exists("/dev/" + n)))
            Assert.Contains(dev, devices);
        Assert.True(long.Parse(devices.First(l => l.Trim().All(char.IsAsciiDigit) && l.Trim().Length > 0).Trim()) > 0, "/proc/timer_list is masked");
        Assert.Contains(devices, l => l.Contains(" /sys sysfs rw,"));
        Assert.Contains(devices, l => l.Contains(" /sys/fs/cgroup/memory cgroup rw,"));
        Assert.Contains("WROTE", r); // /proc/sys is writable
        // Without it: nothing of that.
        var plain = d.Ok("run", "--rm", "bb", "sh", "-c", "ls /dev; grep ' /sys ' /proc/mounts");
        Assert.DoesNotContain("kmsg", plain.Split('\n'));
        Assert.Contains(" /sys sysfs ro,", plain);
    }

    [Fact]
    public void Pid_host_sees_host_processes_and_is_not_pid_1()
    {
        var r = d.Ok("run", "--rm", "--pid", "host", "bb", "sh", "-c", "readlink /proc/self/ns/pid; echo $$; ps -o pid,comm");
        var lines = r.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Equal(HostNs("pid"), lines[0]);
        Assert.NotEqual("1", lines[1]);
        Assert.Contains(lines, l => l.StartsWith(d.Daemon!.Id + " ", StringComparison.Ordinal)); // the daemon itself
        // --init's tini registers as a subreaper when it is not PID 1.
        Assert.Contains("/sbin/docker-init -s --", d.Ok("run", "--rm", "--pid", "host", "--init", "bb", "sh", "-c", "cat /proc/$PPID/cmdline | tr '\\0' ' '"));
    }

    [Fact]
    public void Pid_container_joins_that_containers_namespace()
    {
        var donor = d.Ok("run", "-d", "bb", "sleep", "300");
        try
        {
            var donorNs = d.Ok("exec", donor, "readlink", "/proc/1/ns/pid");
            var r = d.Ok("run", "--rm", "--pid", "container:" + donor, "bb", "sh", "-c", "readlink /proc/self/ns/pid; ps -o pid,args");
            Assert.StartsWith(donorNs, r);
            Assert.Contains("1 sleep 300", System.Text.RegularExpressions.Regex.Replace(r, @"[ \t]+", " "));
            // An exec into the joined container is in the same namespace too.
            var joined = d.Ok("run", "-d", "--pid", "container:" + donor, "bb", "sleep", "300");
            try { Assert.Equal(donorNs, d.Ok("exec", joined, "readlink", "/proc/self/ns/pid")); }
            finally { d.Cli("rm", "-f", joined); }
        }
        finally { d.Cli("rm", "-f", donor); }
    }

    [Fact]
    public void Ipc_host_shares_the_hosts_ipc_namespace_and_shm()
    {
        var file = "/dev/shm/gitops-e2e-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(file, "from the host");
        try
        {
            var r = d.Ok("run", "--rm", "--ipc", "host", "bb", "sh", "-c", $"readlink /proc/self/ns/ipc; cat {file}");
            Assert.Equal([HostNs("ipc"), "from the host"], r.Split('\n'));
            var own = d.Ok("run", "--rm", "bb", "sh", "-c", $"readlink /proc/self/ns/ipc; cat {file} 2>&1 || true");
            Assert.NotEqual(HostNs("ipc"), own.Split('\n')[0]);
            Assert.Contains("No such file", own);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Ipc_container_joins_a_shareable_donor_and_its_shm()
    {
        var donor = d.Ok("run", "-d", "--ipc", "shareable", "bb", "sleep", "300");
        var plain = d.Ok("run", "-d", "bb", "sleep", "300");
        try
        {
            Assert.Equal("shareable private", d.Ok("inspect", "-f", "{{.HostConfig.IpcMode}}", donor) + " " + d.Ok("inspect", "-f", "{{.HostConfig.IpcMode}}", plain));
            var r = d.Ok("run", "--rm", "--ipc", "container:" + donor, "bb", "sh", "-c", "readlink /proc/self/ns/ipc; echo shared > /dev/shm/note");
            Assert.Equal(d.Ok("exec", donor, "readlink", "/proc/self/ns/ipc"), r);
            Assert.Equal("shared", d.Ok("exec", donor, "cat", "/dev/shm/note"));
            var refused = d.Cli("create", "--ipc", "container:" + plain, "bb", "true");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("non-shareable IPC (hint: use IpcMode:shareable for the donor container)", refused.Stderr);
            Assert.Equal("", d.Ok("run", "--rm", "--ipc", "none", "bb", "sh", "-c", "ls -d /dev/shm 2>/dev/null; true"));
            // The donor's /dev/shm is a tmpfs on the host while it runs (as Docker's mounts/shm), gone when it stops.
            Assert.Contains($"/{donor}/mounts/shm ", File.ReadAllText("/proc/self/mountinfo"));
            d.Ok("stop", "-t", "0", donor);
            Assert.DoesNotContain($"/{donor}/mounts/shm ", File.ReadAllText("/proc/self/mountinfo"));
        }
        finally { d.Cli("rm", "-f", donor, plain); }
    }

    [Fact]
    public void Device_appears_with_the_hosts_numbers_and_only_its_permissions()
    {
        Assert.True(File.Exists("/dev/fuse"), "this test needs /dev/fuse on the host");
        var r = d.Ok("run", "--rm", "--device", "/dev/fuse", "bb", "sh", "-c", "ls -l /dev/fuse; exec 3<>/dev/fuse && echo OPENED");
        Assert.Matches(@"^c[rw-]{9} .* 10, +229 .*/dev/fuse", r.Split('\n')[0]);
        Assert.Contains("OPENED", r);
        // Read-only permission under another name: reading opens, writing is refused by the device cgroup.
        var ro = d.Cli("run", "--rm", "--device", "/dev/fuse:/dev/myfuse:r", "bb", "sh", "-c",
            "exec 3</dev/myfuse && echo READ; exec 4>/dev/myfuse && echo WRITE");
        Assert.Contains("READ", ro.Stdout);
        Assert.DoesNotContain("WRITE", ro.Stdout);
        Assert.Contains("Operation not permitted", ro.Stderr + ro.Stdout);
        Assert.Contains("No such file", d.Cli("run", "--rm", "bb", "ls", "/dev/fuse").Stderr);
        var id = d.Ok("create", "--device", "/dev/fuse:/dev/myfuse:r", "bb", "true");
        try { Assert.Equal("""[{"PathOnHost":"/dev/fuse","PathInContainer":"/dev/myfuse","CgroupPermissions":"r"}]""", d.Ok("inspect", "-f", "{{json .HostConfig.Devices}}", id)); }
        finally { d.Cli("rm", "-f", id); }
    }

    [Theory]
    [InlineData("--pid", "bogus", "invalid PID mode: \"bogus\"")]
    [InlineData("--pid", "container:no-such-donor", "invalid PID mode \"container:no-such-donor\": no such container: no-such-donor")]
    [InlineData("--ipc", "sharable", "invalid IPC mode: \"sharable\"")]
    [InlineData("--ipc", "container:no-such-donor", "no such container: no-such-donor")]
    [InlineData("--device", "/dev/no-such-device", "error gathering device information while adding custom device \"/dev/no-such-device\": no such file or directory")]
    [InlineData("--device", "/etc/hostname", "\"/etc/hostname\": not a device node")]
    [InlineData("--device", "/dev/fuse:/dev/f:rwx", "invalid permissions \"rwx\"")]
    [InlineData("--security-opt", "apparmor", "invalid --security-opt \"apparmor\"")]
    [InlineData("--security-opt", "no-new-privileges=perhaps", "\"perhaps\" is not a boolean")]
    [InlineData("--cap-add", "SYS_NOPE", "unknown capability: \"CAP_SYS_NOPE\"")]
    public void Bad_values_are_refused_at_create_with_what_is_wrong(string flag, string value, string expected)
    {
        var before = d.Ok("ps", "-aq").Length;
        var r = d.Cli("create", flag, value, "bb", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.Equal(before, d.Ok("ps", "-aq").Length);
    }

    [Fact]
    public void Inspect_shows_the_security_fields_as_docker_does()
    {
        var id = d.Ok("create", "--privileged", "--pid", "host", "--ipc", "host", "--security-opt", "seccomp=unconfined",
            "--security-opt", "no-new-privileges", "--cap-add", "NET_ADMIN", "bb", "true");
        try
        {
            Assert.Equal("true host host [\"seccomp=unconfined\",\"no-new-privileges\"] [\"NET_ADMIN\"]",
                d.Ok("inspect", "-f", "{{.HostConfig.Privileged}} {{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{json .HostConfig.SecurityOpt}} {{json .HostConfig.CapAdd}}", id));
        }
        finally { d.Cli("rm", "-f", id); }
    }
}
