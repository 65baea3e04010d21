using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Init;

/// <summary>
/// Everything the container-init helper needs, sent by the daemon over the sync socket. The helper
/// runs as PID 1 of the new PID namespace (or, for exec, inside the running container's namespaces),
/// sets up the filesystem, drops privileges and execs the user's process.
/// </summary>
public sealed record InitSpec
{
    public required InitMode Mode { get; set; }
    public required ProcessSpec Process { get; set; }
    /// <summary>Host path where the container root is assembled (run mode).</summary>
    public string? Rootfs { get; set; }
    public OverlaySpec? Overlay { get; set; }
    public string? Hostname { get; set; }
    public bool ReadonlyRootfs { get; set; }
    /// <summary>Extra mounts (etc files, volumes, tmpfs), applied in order after the standard ones.</summary>
    public IReadOnlyList<MountSpec> Mounts { get; set; } = [];
    public IReadOnlyList<string> MaskedPaths { get; set; } = Defaults.MaskedPaths;
    public IReadOnlyList<string> ReadonlyPaths { get; set; } = Defaults.ReadonlyPaths;
    public CgroupMountSpec? Cgroup { get; set; }
    /// <summary>A new network namespace has only a down loopback; bring it up.</summary>
    public bool LoopbackUp { get; set; }
    /// <summary>Exec mode: descriptor of the container's mount namespace, passed at fd 4.</summary>
    public bool JoinMountNamespace { get; set; }
    /// <summary>
    /// Secret and config files. Their content exists only here, in the daemon's memory and on a tmpfs
    /// of the container's own mount namespace: never on a disk, never under the daemon's root.
    /// </summary>
    public IReadOnlyList<SecretMountSpec> SecretMounts { get; set; } = [];
    /// <summary>An empty host directory on which that tmpfs is assembled, inside the container's mount namespace only.</summary>
    public string? SecretStaging { get; set; }
    /// <summary>Device nodes to create in /dev besides the OCI defaults (--device, or all of the host's with --privileged).</summary>
    public IReadOnlyList<DeviceSpec> Devices { get; set; } = [];
    /// <summary>--privileged: /sys is mounted read-write, as Docker does.</summary>
    public bool SysfsWritable { get; set; }
    /// <summary>--privileged or writable-cgroups: /sys/fs/cgroup is mounted read-write.</summary>
    public bool CgroupsWritable { get; set; }
    /// <summary>Where /dev/shm comes from, after --ipc.</summary>
    public ShmSource Shm { get; set; } = ShmSource.Private;
    /// <summary>With <see cref="ShmSource.Bind"/>: the host directory bound at /dev/shm.</summary>
    public string? ShmPath { get; set; }
}

public enum InitMode { Run, Exec }

/// <summary>
/// /dev/shm: a tmpfs of its own (private), a host directory bound (the host's /dev/shm for --ipc
/// host, a shareable container's tmpfs for itself and for --ipc container:X), or none (--ipc none).
/// </summary>
public enum ShmSource { Private, Bind, None }

/// <summary>A device node as the container sees it: its path, c or b, numbers, file mode and owner (the host node's), and cgroup permissions.</summary>
public sealed record DeviceSpec(string Path, char Type, uint Major, uint Minor, uint Mode, uint Uid, uint Gid, string Permissions);

public sealed record OverlaySpec(IReadOnlyList<string> LowerDirs, string UpperDir, string WorkDir);

/// <param name="SubPath">A path inside <paramref name="Source"/> to mount instead of its root, resolved without leaving it.</param>
public sealed record MountSpec(string Destination, string Type, string? Source, IReadOnlyList<string> Options, string? SubPath = null)
{
    public bool IsBind => Type == "bind";
    public bool ReadOnly => Options.Contains("ro");
}

/// <summary>
/// Secret or config files mounted read-only at <paramref name="Destination"/>: a directory of files
/// (/run/secrets, a Kubernetes secret volume) or, with <paramref name="IsDirectory"/> false, one file.
/// </summary>
public sealed record SecretMountSpec(string Destination, bool IsDirectory, IReadOnlyList<SecretFileSpec> Files);

/// <summary>One file: its path inside the mount ("" for a single-file mount), content, owner and mode.</summary>
public sealed record SecretFileSpec(string Path, byte[] Data, uint Uid, uint Gid, uint Mode)
{
    /// <summary>Never the content: a spec that ends up in an exception or a trace must not carry it.</summary>
    public override string ToString() => $"SecretFileSpec {{ Path = {Path}, Uid = {Uid}, Gid = {Gid}, Mode = {Convert.ToString(Mode, 8)}, Length = {Data.Length} }}";
}

public sealed record CgroupMountSpec(int Version, IReadOnlyList<CgroupHierarchy> Hierarchies);

/// <summary>A v1 hierarchy as the container sees it: /sys/fs/cgroup/NAME mounted with these options.</summary>
public sealed record CgroupHierarchy(string Name, string Options);

public sealed record ProcessSpec
{
    public required IReadOnlyList<string> Args { get; set; }
    public required IReadOnlyList<string> Env { get; set; }
    public string Cwd { get; set; } = "/";
    /// <summary>user, uid, user:group or uid:gid, resolved inside the container against its /etc/passwd and /etc/group.</summary>
    public string User { get; set; } = "";
    public bool Tty { get; set; }
    public ulong Capabilities { get; set; } = Defaults.CapabilityMask;
    public bool NoNewPrivileges { get; set; } = true;
    /// <summary>Run tini (passed at fd 5) as PID 1 with the command as its child.</summary>
    public bool Init { get; set; }
    /// <summary>The compiled seccomp filter, installed just before exec; null for none (unconfined, privileged).</summary>
    public Security.SeccompProgram? Seccomp { get; set; }
    /// <summary>The session keyring to join ("_ses.ID", runc's name): the container's own, never the daemon's.</summary>
    public string? SessionKeyring { get; set; }
    public IReadOnlyList<RlimitSpec> Rlimits { get; set; } = Defaults.Rlimits;
}

public sealed record RlimitSpec(int Resource, ulong Soft, ulong Hard);

/// <summary>Messages the helper and the daemon exchange on the sync socket.</summary>
/// <param name="Timestamps">Stopwatch ticks (CLOCK_MONOTONIC, comparable across processes) of the helper's phases, for tracing.</param>
/// <param name="Env">On go: the process's environment, replacing the spec's (values known only after the network was set up).</param>
/// <param name="Args">On go: the process's arguments, replacing the spec's.</param>
public sealed record InitMessage(string Kind, string? Error = null, int ExitCode = 0, long[]? Timestamps = null,
    IReadOnlyList<string>? Env = null, IReadOnlyList<string>? Args = null)
{
    public const string Ready = "ready", Go = "go", Failed = "error", Console = "console";
}

public static class Defaults
{
    /// <summary>Docker's default capability set (moby/oci/caps/defaults.go).</summary>
    public static readonly IReadOnlyList<Capability> Capabilities =
    [
        Capability.Chown, Capability.DacOverride, Capability.Fsetid, Capability.Fowner, Capability.Mknod,
        Capability.NetRaw, Capability.Setgid, Capability.Setuid, Capability.Setfcap, Capability.Setpcap,
        Capability.NetBindService, Capability.SysChroot, Capability.Kill, Capability.AuditWrite,
    ];

    public static ulong CapabilityMask => Capabilities.Aggregate(0UL, (m, c) => m | (1UL << (int)c));

    /// <summary>Docker's masked paths: unreadable in a container (bind of /dev/null or a read-only tmpfs).</summary>
    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ];

    /// <summary>Docker's read-only paths.</summary>
    public static readonly IReadOnlyList<string> ReadonlyPaths =
        ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>containerd's default: a high open-files limit instead of whatever the daemon had.</summary>
    public static readonly IReadOnlyList<RlimitSpec> Rlimits = [new(Sys.RLIMIT_NOFILE, 1048576, 1048576)];

    public const string Path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The OCI runtime spec's default devices.</summary>
    public static readonly IReadOnlyList<(string Name, uint Major, uint Minor)> Devices =
    [
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    ];
}

/// <summary>Linux capability numbers (include/uapi/linux/capability.h).</summary>
public enum Capability
{
    Chown = 0, DacOverride = 1, DacReadSearch = 2, Fowner = 3, Fsetid = 4, Kill = 5, Setgid = 6, Setuid = 7,
    Setpcap = 8, LinuxImmutable = 9, NetBindService = 10, NetBroadcast = 11, NetAdmin = 12, NetRaw = 13,
    IpcLock = 14, IpcOwner = 15, SysModule = 16, SysRawio = 17, SysChroot = 18, SysPtrace = 19, SysPacct = 20,
    SysAdmin = 21, SysBoot = 22, SysNice = 23, SysResource = 24, SysTime = 25, SysTtyConfig = 26, Mknod = 27,
    Lease = 28, AuditWrite = 29, AuditControl = 30, Setfcap = 31, MacOverride = 32, MacAdmin = 33, Syslog = 34,
    WakeAlarm = 35, BlockSuspend = 36, AuditRead = 37, Perfmon = 38, Bpf = 39, CheckpointRestore = 40,
}
