using GitOps.Runtime.Containers;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Security;

/// <summary>Capability masks and names, with Docker's rules for --cap-add, --cap-drop and --privileged.</summary>
public static class CapabilitySet
{
    /// <summary>
    /// Every capability this kernel knows (0 … cap_last_cap) that the daemon itself holds: what
    /// --privileged and --cap-add ALL give. A host or sandbox that withholds one from root (some
    /// drop CAP_SYS_RESOURCE) cannot pass it on; asking capset for it would fail the start.
    /// </summary>
    public static ulong All => AllMask.Value;

    static readonly Lazy<ulong> AllMask = new(() =>
    {
        var last = Math.Min(Sys.LastCapability(), 63);
        var known = last == 63 ? ulong.MaxValue : (1UL << (last + 1)) - 1;
        return known & OwnBoundingSet();
    });

    static ulong OwnBoundingSet()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
                return Convert.ToUInt64(line["CapBnd:".Length..].Trim(), 16);
        return ulong.MaxValue;
    }

    /// <summary>
    /// moby's TweakCapabilities: privileged gets everything; with ALL in cap-add, everything but the
    /// drops; with ALL in cap-drop, only the adds; otherwise the defaults minus the drops plus the adds.
    /// Unknown names are a 400 error.
    /// </summary>
    public static ulong Of(HostConfig h)
    {
        if (h.Privileged) return All;
        var adds = h.CapAdd.Select(Normalize).ToList();
        var drops = h.CapDrop.Select(Normalize).ToList();
        if (adds.Contains("ALL")) return drops.Where(d => d != "ALL").Aggregate(All, (m, d) => m & ~Bit(d));
        if (drops.Contains("ALL")) return adds.Aggregate(0UL, (m, a) => m | Bit(a)) & All;
        var mask = drops.Aggregate(Defaults.CapabilityMask, (m, d) => m & ~Bit(d));
        // A capability newer than this kernel cannot be granted (capset would refuse the whole set).
        return adds.Aggregate(mask, (m, a) => m | Bit(a)) & All;
    }

    /// <summary>Checks names without computing anything (create-time validation).</summary>
    public static void Validate(HostConfig h)
    {
        foreach (var n in h.CapAdd.Concat(h.CapDrop)) Bit(Normalize(n));
    }

    /// <summary>"net_admin", "CAP_NET_ADMIN" and "NET_ADMIN" are one capability, as Docker takes them.</summary>
    static string Normalize(string name)
    {
        var n = name.Trim().ToUpperInvariant();
        return n == "ALL" ? n : n.StartsWith("CAP_", StringComparison.Ordinal) ? n : "CAP_" + n;
    }

    static ulong Bit(string normalized)
    {
        if (normalized == "ALL") return All;
        var index = Array.IndexOf(Names, normalized);
        if (index < 0) throw new InvalidArgumentException($"unknown capability: \"{normalized}\"");
        return 1UL << index;
    }

    /// <summary>CAP_* names of the capabilities in a mask (what Docker's seccomp conditions compare with).</summary>
    public static IReadOnlySet<string> NamesOf(ulong mask)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Names.Length; i++)
            if ((mask & (1UL << i)) != 0) set.Add(Names[i]);
        return set;
    }

    /// <summary>include/uapi/linux/capability.h, by number.</summary>
    static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];
}
