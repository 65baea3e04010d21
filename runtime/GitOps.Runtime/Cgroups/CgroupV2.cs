using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Cgroups;

/// <summary>
/// cgroup v2: one unified tree. Container cgroups are ROOT/INSTANCE/ID with the controllers enabled
/// down the path. The root is a parameter so the driver can be exercised against a laid-out tree.
/// </summary>
public sealed class CgroupV2Driver : ICgroupDriver
{
    static readonly string[] Wanted = ["cpuset", "cpu", "io", "memory", "pids"];
    readonly string _root;
    readonly string _parent;

    public CgroupV2Driver(string root, string parent)
    {
        _root = root;
        _parent = parent;
        var parentDir = Path.Combine(_root, _parent);
        Directory.CreateDirectory(parentDir);
        EnableControllers(_root);
        EnableControllers(parentDir);
    }

    void EnableControllers(string dir)
    {
        var available = (CgroupFiles.Read(dir, "cgroup.controllers") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var enable = Wanted.Where(available.Contains).Select(c => "+" + c).ToList();
        if (enable.Count > 0) CgroupFiles.Write(dir, "cgroup.subtree_control", string.Join(' ', enable));
    }

    public int Version => 2;
    public CgroupMountSpec MountSpec => new(2, []);

    public ICgroup Create(string id, ResourceLimits limits)
    {
        var cg = new CgroupV2(Path.Combine(_root, _parent, id), id);
        Directory.CreateDirectory(cg.Dir);
        cg.Apply(limits);
        return cg;
    }

    public ICgroup Open(string id) => new CgroupV2(Path.Combine(_root, _parent, id), id);

    public IReadOnlyList<string> List()
    {
        var dir = Path.Combine(_root, _parent);
        return Directory.Exists(dir) ? Directory.GetDirectories(dir).Select(d => Path.GetFileName(d)).ToList() : [];
    }
}

internal sealed class CgroupV2(string dir, string id) : ICgroup
{
    public string Dir => dir;
    public string Id => id;
    public bool Exists => Directory.Exists(dir);

    public void Apply(ResourceLimits limits)
    {
        if (limits.MemoryBytes is { } m && m > 0)
        {
            CgroupFiles.Write(dir, "memory.max", m.ToString());
            // v2 limits swap alone; Docker's --memory-swap is memory+swap.
            var swap = limits.MemorySwapBytes ?? 2 * m;
            if (File.Exists(Path.Combine(dir, "memory.swap.max")))
                CgroupFiles.Write(dir, "memory.swap.max", swap < 0 ? "max" : Math.Max(0, swap - m).ToString());
        }
        if (limits.CfsQuotaMicros is { } quota)
            CgroupFiles.Write(dir, "cpu.max", $"{quota} {ResourceLimits.CfsPeriodMicros}");
        if (limits.CpuShares is { } shares && shares > 0)
            CgroupFiles.Write(dir, "cpu.weight", (1 + (shares - 2) * 9999 / 262142).ToString());
        if (limits.PidsLimit is { } max)
            CgroupFiles.Write(dir, "pids.max", max > 0 ? max.ToString() : "max");
    }

    public void AddProcess(int pid) => CgroupFiles.Write(dir, "cgroup.procs", pid.ToString());

    /// <summary>Threads of one process cannot span domain cgroups in v2: the helper is moved whole.</summary>
    public bool TryAddCurrentThread() => false;

    public IReadOnlyList<int> Processes() => Directory.Exists(dir) ? CgroupFiles.Pids(dir) : [];

    public bool OomKilled() => CgroupFiles.ReadKey(dir, "memory.events", "oom_kill") is > 0;

    public void KillAll()
    {
        // cgroup.kill (5.14+) kills the whole tree atomically; otherwise kill what is listed until empty.
        if (File.Exists(Path.Combine(dir, "cgroup.kill"))) CgroupFiles.Write(dir, "cgroup.kill", "1");
        for (var round = 0; round < 100; round++)
        {
            var pids = Processes();
            if (pids.Count == 0) return;
            foreach (var pid in pids) Sys.Kill(pid, 9);
            Thread.Sleep(5);
        }
    }

    public void Delete() => CgroupFiles.RemoveDir(dir);

    public void Freeze()
    {
        CgroupFiles.Write(dir, "cgroup.freeze", "1");
        for (var i = 0; i < 200 && CgroupFiles.ReadKey(dir, "cgroup.events", "frozen") != 1; i++) Thread.Sleep(5);
    }

    public void Thaw() => CgroupFiles.Write(dir, "cgroup.freeze", "0");

    public CgroupStats Stats() => new(
        CgroupFiles.ReadLong(dir, "memory.current") ?? 0,
        CgroupFiles.ReadLong(dir, "memory.max") ?? 0,
        (CgroupFiles.ReadKey(dir, "cpu.stat", "usage_usec") ?? 0) * 1000,
        CgroupFiles.ReadLong(dir, "pids.current") ?? 0);
}

public static class CgroupDetector
{
    /// <summary>v2 when /sys/fs/cgroup itself is cgroup2 (unified); v1 otherwise, including hybrid hosts.</summary>
    public static ICgroupDriver Detect(string instanceName)
    {
        var mounts = MountInfo.Parse(File.ReadAllText("/proc/self/mountinfo"));
        if (mounts.Any(m => m.MountPoint == "/sys/fs/cgroup" && m.FsType == "cgroup2"))
            return new CgroupV2Driver("/sys/fs/cgroup", instanceName);
        var hierarchies = CgroupV1Driver.Discover();
        if (hierarchies.Count == 0) throw new InvalidOperationException("no cgroup hierarchies are mounted (neither v1 under /sys/fs/cgroup nor v2)");
        return new CgroupV1Driver(hierarchies, instanceName);
    }
}
