using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Cgroups;

/// <summary>
/// cgroup v1: one directory per hierarchy (cpu, memory, pids, ...), each mounted separately.
/// Container cgroups live at HIERARCHY/INSTANCE/ID so that daemons with different roots never meet.
/// </summary>
public sealed class CgroupV1Driver : ICgroupDriver
{
    /// <summary>A mounted hierarchy: where, and its controllers (or name=...) as the mount options say.</summary>
    public sealed record Hierarchy(string MountPoint, string Options)
    {
        public string Name => Path.GetFileName(MountPoint);
        public bool Has(string controller) => Options.Split(',').Contains(controller);
    }

    readonly IReadOnlyList<Hierarchy> _hierarchies;
    readonly string _parent;

    public CgroupV1Driver(IReadOnlyList<Hierarchy> hierarchies, string parent)
    {
        _hierarchies = hierarchies;
        _parent = parent;
        foreach (var h in _hierarchies)
        {
            var dir = Path.Combine(h.MountPoint, _parent);
            Directory.CreateDirectory(dir);
            if (h.Has("cpuset")) CgroupV1.InheritCpuset(h.MountPoint, dir);
        }
    }

    public int Version => 1;

    public CgroupMountSpec MountSpec =>
        new(1, _hierarchies.Select(h => new CgroupHierarchy(h.Name, h.Options)).ToList());

    public ICgroup Create(string id, ResourceLimits limits)
    {
        var cg = new CgroupV1(_hierarchies, _parent, id);
        cg.Create(limits);
        cg.Apply(limits);
        return cg;
    }

    public ICgroup Open(string id) => new CgroupV1(_hierarchies, _parent, id);

    public IReadOnlyList<string> List()
    {
        var pids = _hierarchies.FirstOrDefault(h => h.Has("pids")) ?? _hierarchies[0];
        var dir = Path.Combine(pids.MountPoint, _parent);
        return Directory.Exists(dir) ? Directory.GetDirectories(dir).Select(d => Path.GetFileName(d)).ToList() : [];
    }

    /// <summary>The v1 hierarchies mounted on this host, from /proc/self/mountinfo.</summary>
    public static IReadOnlyList<Hierarchy> Discover(string mountinfo = "/proc/self/mountinfo")
    {
        var result = new List<Hierarchy>();
        foreach (var m in MountInfo.Parse(File.ReadAllText(mountinfo)))
        {
            if (m.FsType != "cgroup") continue;
            var options = string.Join(',', m.SuperOptions.Split(',').Where(o => o is not ("rw" or "ro")));
            if (result.Any(r => r.Options == options)) continue; // the same hierarchy mounted twice
            result.Add(new Hierarchy(m.MountPoint, options));
        }
        return result;
    }
}

internal sealed class CgroupV1(IReadOnlyList<CgroupV1Driver.Hierarchy> hierarchies, string parent, string id) : ICgroup
{
    public string Id => id;

    string Dir(CgroupV1Driver.Hierarchy h) => Path.Combine(h.MountPoint, parent, id);

    string? DirOf(string controller) => hierarchies.FirstOrDefault(h => h.Has(controller)) is { } h ? Dir(h) : null;

    public bool Exists => hierarchies.Any(h => Directory.Exists(Dir(h)));

    public void Create(ResourceLimits? limits = null)
    {
        foreach (var h in hierarchies)
        {
            var dir = Dir(h);
            Directory.CreateDirectory(dir);
            if (h.Has("cpuset")) InheritCpuset(Path.Combine(h.MountPoint, parent), dir);
        }
        if (DirOf("devices") is { } devices)
        {
            // Deny every device, then allow what runc and Docker allow by default.
            CgroupFiles.Write(devices, "devices.deny", "a");
            foreach (var rule in DefaultDeviceRules) CgroupFiles.Write(devices, "devices.allow", rule);
            if (limits?.AllDevices == true) CgroupFiles.Write(devices, "devices.allow", "a");
            else foreach (var rule in limits?.Devices ?? []) CgroupFiles.Write(devices, "devices.allow", rule);
        }
    }

    /// <summary>runc's default allow list: mknod of anything, and use of the OCI default devices, tty, console, ptmx and pts.</summary>
    static readonly string[] DefaultDeviceRules =
    [
        "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
        "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",
    ];

    /// <summary>A new cpuset cgroup starts with no CPUs and no memory nodes; it must copy its parent's.</summary>
    internal static void InheritCpuset(string parentDir, string dir)
    {
        foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            if (CgroupFiles.Read(dir, file)?.Trim() is { Length: > 0 }) continue;
            var value = CgroupFiles.Read(parentDir, file)?.Trim();
            if (!string.IsNullOrEmpty(value)) CgroupFiles.Write(dir, file, value);
        }
    }

    public void Apply(ResourceLimits limits)
    {
        if (DirOf("memory") is { } mem)
        {
            if (limits.MemoryBytes is { } m && m > 0)
            {
                CgroupFiles.Write(mem, "memory.limit_in_bytes", m.ToString());
                // memory+swap exists only with swap accounting; Docker's default is twice the memory.
                if (File.Exists(Path.Combine(mem, "memory.memsw.limit_in_bytes")))
                {
                    var swap = limits.MemorySwapBytes ?? 2 * m;
                    CgroupFiles.Write(mem, "memory.memsw.limit_in_bytes", swap < 0 ? "-1" : swap.ToString());
                }
            }
        }
        if (DirOf("cpu") is { } cpu)
        {
            if (limits.CfsQuotaMicros is { } quota)
            {
                CgroupFiles.Write(cpu, "cpu.cfs_period_us", ResourceLimits.CfsPeriodMicros.ToString());
                CgroupFiles.Write(cpu, "cpu.cfs_quota_us", quota.ToString());
            }
            if (limits.CpuShares is { } shares && shares > 0) CgroupFiles.Write(cpu, "cpu.shares", shares.ToString());
        }
        if (DirOf("pids") is { } pids && limits.PidsLimit is { } max)
            CgroupFiles.Write(pids, "pids.max", max > 0 ? max.ToString() : "max");
    }

    public void AddProcess(int pid)
    {
        foreach (var h in hierarchies) CgroupFiles.Write(Dir(h), "cgroup.procs", pid.ToString());
    }

    /// <summary>
    /// Moving a process or a named thread takes the threadgroup rwsem for writing, which waits for an
    /// RCU grace period (~15 ms here). Writing "0" to tasks moves the calling thread, which can
    /// neither exit nor exec meanwhile, so the kernel skips that lock (cgroup_procs_write_start):
    /// 0.2 ms for all hierarchies. The spawning thread moves itself, and the container's first
    /// process is born inside its cgroup.
    /// </summary>
    public bool TryAddCurrentThread()
    {
        foreach (var h in hierarchies) CgroupFiles.Write(Dir(h), "tasks", "0");
        return true;
    }

    public IReadOnlyList<int> Processes() =>
        DirOf("pids") is { } d && Directory.Exists(d) ? CgroupFiles.Pids(d) :
        hierarchies.Select(Dir).Where(Directory.Exists).Select(CgroupFiles.Pids).FirstOrDefault() ?? [];

    public bool OomKilled() =>
        DirOf("memory") is { } mem && CgroupFiles.ReadKey(mem, "memory.oom_control", "oom_kill") is > 0;

    public void KillAll()
    {
        // Freeze first so that nothing forks between reading the list and killing it.
        var freezer = DirOf("freezer");
        var frozen = freezer is not null && Directory.Exists(freezer);
        if (frozen)
        {
            // rmdir of a cgroup succeeds only once it has no task (in any hierarchy, since a task is in
            // one cgroup of each): a freezer directory that vanished under us means nothing is left to kill.
            try { CgroupFiles.Write(freezer!, "freezer.state", "FROZEN"); }
            catch (IOException) when (!Directory.Exists(freezer)) { return; }
        }
        try
        {
            for (var round = 0; round < 100; round++)
            {
                var pids = Processes();
                if (pids.Count == 0) return;
                foreach (var pid in pids) Sys.Kill(pid, 9);
                if (frozen) { CgroupFiles.Write(freezer!, "freezer.state", "THAWED"); frozen = false; }
                Thread.Sleep(5);
            }
        }
        finally
        {
            if (frozen && Directory.Exists(freezer)) CgroupFiles.Write(freezer!, "freezer.state", "THAWED");
        }
    }

    public void Delete()
    {
        foreach (var h in hierarchies) CgroupFiles.RemoveDir(Dir(h));
    }

    public void Freeze()
    {
        if (DirOf("freezer") is not { } f) return;
        CgroupFiles.Write(f, "freezer.state", "FROZEN");
        for (var i = 0; i < 200 && CgroupFiles.Read(f, "freezer.state")?.Trim() != "FROZEN"; i++) Thread.Sleep(5);
    }

    public void Thaw()
    {
        if (DirOf("freezer") is { } f) CgroupFiles.Write(f, "freezer.state", "THAWED");
    }

    public CgroupStats Stats()
    {
        var mem = DirOf("memory");
        var acct = DirOf("cpuacct");
        var pids = DirOf("pids");
        return new CgroupStats(
            mem is null ? 0 : CgroupFiles.ReadLong(mem, "memory.usage_in_bytes") ?? 0,
            mem is null ? 0 : CgroupFiles.ReadLong(mem, "memory.limit_in_bytes") ?? 0,
            acct is null ? 0 : CgroupFiles.ReadLong(acct, "cpuacct.usage") ?? 0,
            pids is null ? 0 : CgroupFiles.ReadLong(pids, "pids.current") ?? 0);
    }
}
