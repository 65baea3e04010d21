using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>What a container can and cannot see and do: real containers from the real binary.</summary>
[Collection(EngineCollection.Name)]
public sealed class IsolationTests(DaemonFixture d)
{
    [Fact]
    public void The_command_is_pid_1_and_host_processes_are_invisible()
    {
        Assert.Equal("1", d.Ok("run", "--rm", "bb", "sh", "-c", "echo $$"));
        var ps = d.Ok("run", "--rm", "bb", "ps", "-o", "pid,comm").Split('\n');
        Assert.Equal(["PID   COMMAND", "1 ps"], ps.Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), @"\s+", " ")).Select(l => l == "PID COMMAND" ? "PID   COMMAND" : l));
    }

    [Fact]
    public void Hostname_is_the_short_id_and_etc_files_are_the_containers()
    {
        var id = d.Ok("run", "-d", "bb", "sleep", "60");
        try
        {
            Assert.Equal(id[..12], d.Ok("exec", id, "hostname"));
            Assert.Equal(id[..12], d.Ok("exec", id, "cat", "/etc/hostname"));
            var hosts = d.Ok("exec", id, "cat", "/etc/hosts");
            Assert.Contains("127.0.0.1\tlocalhost", hosts);
            Assert.DoesNotContain("127.", d.Ok("exec", id, "cat", "/etc/resolv.conf").Split('\n').Where(l => l.StartsWith("nameserver")).FirstOrDefault() ?? "");
        }
        finally { d.Cli("rm", "-f", id); }
    }

    [Fact]
    public void Host_files_are_invisible()
    {
        Assert.NotEqual(0, d.Cli("run", "--rm", "bb", "ls", Gitops.RepoRoot).ExitCode);
        Assert.NotEqual(0, d.Cli("run", "--rm", "bb", "cat", "/etc/os-release").ExitCode);
        var root = d.Ok("run", "--rm", "bb", "ls", "/").Split('\n');
        Assert.Equal(["bin", "dev", "etc", "proc", "root", "sys", "tmp", "var"], root.Order());
    }

    [Fact]
    public void Dockers_default_capabilities_and_no_new_privileges()
    {
        var status = d.Ok("run", "--rm", "bb", "grep", "-E", "^(CapEff|CapPrm|CapBnd|CapInh|NoNewPrivs)", "/proc/self/status");
        Assert.Contains("CapEff:\t00000000a80425fb", status);
        Assert.Contains("CapPrm:\t00000000a80425fb", status);
        Assert.Contains("CapBnd:\t00000000a80425fb", status);
        Assert.Contains("CapInh:\t0000000000000000", status);
        Assert.Contains("NoNewPrivs:\t1", status);
        // A non-root user gets no capabilities at all.
        var user = d.Ok("run", "--rm", "-u", "1000:1000", "bb", "sh", "-c", "id; grep CapEff /proc/self/status");
        Assert.Contains("uid=1000(user) gid=1000(user)", user);
        Assert.Contains("CapEff:\t0000000000000000", user);
    }

    [Fact]
    public void Only_stdin_stdout_and_stderr_are_open()
    {
        // sh forks ls, so /proc/1/fd is the shell's own table.
        Assert.Equal("0\n1\n2", d.Ok("run", "--rm", "bb", "sh", "-c", "ls /proc/1/fd; :"));
        // Output goes through a pipe, not a path on the host.
        Assert.StartsWith("pipe:[", d.Ok("run", "--rm", "bb", "sh", "-c", "readlink /proc/1/fd/1; :"));
    }

    [Fact]
    public void Sensitive_proc_and_sys_paths_are_masked_or_read_only()
    {
        var r = d.Ok("run", "--rm", "bb", "sh", "-c",
            "wc -c < /proc/keys; wc -c < /proc/timer_list; ls /proc/acpi | wc -l; ls /sys/firmware | wc -l; " +
            "cat /proc/kcore 2>/dev/null | wc -c; echo 1 > /proc/sys/kernel/domainname 2>&1 || echo ro; echo x > /proc/sysrq-trigger 2>&1 || echo ro");
        Assert.Equal(["0", "0", "0", "0", "0", "ro", "ro"], r.Split('\n').Select(l => l.Trim()).Where(l => l is "0" or "ro"));
        Assert.True(new FileInfo("/proc/keys").Exists);
    }

    [Fact]
    public void Mounting_loading_modules_and_raw_devices_are_refused()
    {
        var r = d.Cli("run", "--rm", "bb", "sh", "-c",
            "mount -t tmpfs none /tmp && echo MOUNTED; head -c 1024 /dev/zero > /m.ko; insmod /m.ko && echo LOADED; " +
            "mknod /tmp/sda b 8 0 && head -c 1 /tmp/sda >/dev/null && echo READ; " +
            "grep CapBnd /proc/self/status");
        Assert.DoesNotContain("MOUNTED", r.Stdout);
        Assert.DoesNotContain("LOADED", r.Stdout);
        Assert.DoesNotContain("READ", r.Stdout);
        Assert.Contains("permission denied", r.Stdout + r.Stderr);
        Assert.Contains("Operation not permitted", r.Stdout + r.Stderr); // device cgroup refuses the block device
        var bnd = Convert.ToUInt64(r.Stdout.Split('\t').Last().Trim(), 16);
        Assert.Equal(0UL, bnd & (1UL << 16)); // CAP_SYS_MODULE
        Assert.Equal(0UL, bnd & (1UL << 21)); // CAP_SYS_ADMIN
    }

    [Fact]
    public void Devices_are_the_oci_defaults_and_network_none_is_loopback_only()
    {
        var dev = d.Ok("run", "--rm", "bb", "ls", "-l", "/dev/null", "/dev/zero", "/dev/urandom");
        Assert.All(dev.Split('\n'), l => Assert.StartsWith("crw-rw-rw-", l));
        // Since networks landed the default is the bridge (lo and eth0); --network none keeps only lo.
        var links = d.Ok("run", "--rm", "--network", "none", "bb", "sh", "-c", "ip -o link | cut -d: -f2");
        Assert.Equal("lo", links.Trim());
        Assert.Contains("inet 127.0.0.1", d.Ok("run", "--rm", "--network", "none", "bb", "ip", "addr", "show", "lo"));
    }

    [Fact]
    public void Cgroup_namespace_hides_the_hosts_hierarchy()
    {
        var cg = d.Ok("run", "--rm", "bb", "cat", "/proc/self/cgroup").Split('\n');
        Assert.All(cg, l => Assert.EndsWith(":/", l));
        Assert.Contains("memory", d.Ok("run", "--rm", "bb", "ls", "/sys/fs/cgroup"));
    }

    [Fact]
    public void Read_only_root_filesystem()
    {
        var r = d.Cli("run", "--rm", "--read-only", "bb", "touch", "/x");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Read-only file system", r.Stderr);
    }

    [Fact]
    public void Init_runs_tini_as_pid_1()
    {
        var ps = d.Ok("run", "--rm", "--init", "bb", "ps", "-o", "pid,args");
        var pid1 = ps.Split('\n').Single(l => l.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        Assert.Contains("/sbin/docker-init -- /bin/ps", pid1);
    }
}
