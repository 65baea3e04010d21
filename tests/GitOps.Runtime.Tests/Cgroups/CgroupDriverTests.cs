using GitOps.Runtime.Cgroups;

namespace GitOps.Runtime.Tests.Cgroups;

/// <summary>
/// cgroup v2 cannot run on these (v1) machines, so the v2 driver is checked against a cgroupfs
/// tree laid out on disk: the files it must write, with the values the kernel expects.
/// </summary>
public sealed class CgroupDriverTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("cgv2-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    string Read(params string[] parts) => File.ReadAllText(Path.Combine([_root, .. parts])).Trim();

    [Fact]
    public void V2_enables_controllers_down_the_path_and_writes_limits()
    {
        File.WriteAllText(Path.Combine(_root, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Directory.CreateDirectory(Path.Combine(_root, "gitops-x"));
        File.WriteAllText(Path.Combine(_root, "gitops-x", "cgroup.controllers"), "cpuset cpu io memory pids\n");
        var driver = new CgroupV2Driver(_root, "gitops-x");

        Assert.Equal("+cpuset +cpu +io +memory +pids", Read("cgroup.subtree_control"));
        Assert.Equal("+cpuset +cpu +io +memory +pids", Read("gitops-x", "cgroup.subtree_control"));

        var cg = driver.Create("c1", new ResourceLimits
        {
            MemoryBytes = 16 << 20, NanoCpus = 1_500_000_000, PidsLimit = 20, CpuShares = 1024,
        });
        Assert.Equal((16 << 20).ToString(), Read("gitops-x", "c1", "memory.max"));
        Assert.Equal("150000 100000", Read("gitops-x", "c1", "cpu.max"));
        Assert.Equal("20", Read("gitops-x", "c1", "pids.max"));
        Assert.Equal("39", Read("gitops-x", "c1", "cpu.weight")); // Docker's shares→weight mapping of 1024
        Assert.Equal(["c1"], driver.List());
        Assert.Equal(2, driver.Version);
        Assert.Equal(2, driver.MountSpec.Version);

        cg.AddProcess(4242);
        Assert.Equal("4242", Read("gitops-x", "c1", "cgroup.procs"));
    }

    [Fact]
    public void V2_swap_is_what_exceeds_memory_when_swap_accounting_exists()
    {
        var driver = new CgroupV2Driver(_root, "g");
        var dir = Path.Combine(_root, "g", "c2");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "memory.swap.max"), "max\n");
        driver.Create("c2", new ResourceLimits { MemoryBytes = 100, MemorySwapBytes = 300 });
        Assert.Equal("200", Read("g", "c2", "memory.swap.max"));
    }

    [Fact]
    public void V2_reads_oom_kills_and_stats_from_its_files()
    {
        var driver = new CgroupV2Driver(_root, "g");
        var cg = driver.Create("c3", new ResourceLimits());
        Assert.False(cg.OomKilled());
        File.WriteAllText(Path.Combine(_root, "g", "c3", "memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        Assert.True(cg.OomKilled());
        File.WriteAllText(Path.Combine(_root, "g", "c3", "memory.current"), "4096\n");
        File.WriteAllText(Path.Combine(_root, "g", "c3", "cpu.stat"), "usage_usec 1500\nuser_usec 1000\n");
        File.WriteAllText(Path.Combine(_root, "g", "c3", "pids.current"), "3\n");
        var stats = cg.Stats();
        Assert.Equal(4096, stats.MemoryUsage);
        Assert.Equal(1_500_000, stats.CpuUsageNanos);
        Assert.Equal(3, stats.Pids);
    }

    [Fact]
    public void V1_writes_each_limit_in_its_own_hierarchy_and_inherits_cpusets()
    {
        string H(string name) => Path.Combine(_root, name);
        foreach (var h in new[] { "memory", "cpu", "pids", "cpuset", "devices", "freezer" }) Directory.CreateDirectory(H(h));
        File.WriteAllText(Path.Combine(H("cpuset"), "cpuset.cpus"), "0-1\n");
        File.WriteAllText(Path.Combine(H("cpuset"), "cpuset.mems"), "0\n");
        var driver = new CgroupV1Driver(
        [
            new(H("memory"), "memory"), new(H("cpu"), "cpu"), new(H("pids"), "pids"), new(H("cpuset"), "cpuset"),
            new(H("devices"), "devices"), new(H("freezer"), "freezer"),
        ], "gitops-t");
        Assert.Equal("0-1", Read("cpuset", "gitops-t", "cpuset.cpus"));

        driver.Create("c4", new ResourceLimits { MemoryBytes = 64 << 20, NanoCpus = 500_000_000, PidsLimit = 10 });
        Assert.Equal((64 << 20).ToString(), Read("memory", "gitops-t", "c4", "memory.limit_in_bytes"));
        Assert.Equal("100000", Read("cpu", "gitops-t", "c4", "cpu.cfs_period_us"));
        Assert.Equal("50000", Read("cpu", "gitops-t", "c4", "cpu.cfs_quota_us"));
        Assert.Equal("10", Read("pids", "gitops-t", "c4", "pids.max"));
        Assert.Equal("0-1", Read("cpuset", "gitops-t", "c4", "cpuset.cpus"));
        Assert.Equal("0", Read("cpuset", "gitops-t", "c4", "cpuset.mems"));
        // A regular file keeps only the last write: the allow list ends with the pts rule.
        Assert.Equal("c 136:* rwm", Read("devices", "gitops-t", "c4", "devices.allow"));
        Assert.Equal("a", Read("devices", "gitops-t", "c4", "devices.deny"));
        Assert.Equal(["c4"], driver.List());
    }

    [Fact]
    public void Discovers_v1_hierarchies_from_mountinfo()
    {
        var mountinfo = Path.Combine(_root, "mountinfo");
        File.WriteAllText(mountinfo, """
            25 30 0:22 / /sys/fs/cgroup rw,relatime shared:9 - tmpfs tmpfs rw,mode=755
            26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime shared:10 - cgroup cgroup rw,cpu
            27 25 0:24 / /sys/fs/cgroup/memory rw,relatime shared:11 - cgroup cgroup rw,memory
            28 25 0:25 / /sys/fs/cgroup/systemd rw,relatime shared:12 - cgroup cgroup rw,name=systemd
            29 25 0:26 / /sys/fs/cgroup/unified rw,relatime shared:13 - cgroup2 cgroup2 rw
            """);
        var h = CgroupV1Driver.Discover(mountinfo);
        Assert.Equal(["cpu", "memory", "systemd"], h.Select(x => x.Name));
        Assert.Equal(["cpu", "memory", "name=systemd"], h.Select(x => x.Options));
    }

    [Fact]
    public void Parses_escaped_mountinfo_paths()
    {
        var m = MountInfo.Parse(@"36 35 98:0 /mnt1 /my\040dir rw,noatime master:1 - ext3 /dev/root rw,errors=continue")[0];
        Assert.Equal("/my dir", m.MountPoint);
        Assert.Equal("ext3", m.FsType);
        Assert.Equal("rw,errors=continue", m.SuperOptions);
    }

    [Fact]
    public void Cpu_quota_follows_the_cpus_flag()
    {
        Assert.Equal(150_000, new ResourceLimits { NanoCpus = 1_500_000_000 }.CfsQuotaMicros);
        Assert.Null(new ResourceLimits().CfsQuotaMicros);
    }
}
