using System.Runtime.InteropServices;

namespace GitOps.Runtime.Security;

/// <summary>A profile with its conditions settled for one container on this host: what gets compiled.</summary>
/// <param name="Architectures">SCMP_ARCH_* names, the native one first.</param>
public sealed record ResolvedSeccomp(string DefaultAction, uint? DefaultErrnoRet, IReadOnlyList<string> Architectures,
    IReadOnlyList<string> Flags, IReadOnlyList<ResolvedSyscall> Syscalls);

/// <summary>One system call's rule (a profile rule with several names becomes one per name, as runc splits them).</summary>
public sealed record ResolvedSyscall(string Name, string Action, uint? ErrnoRet, IReadOnlyList<SeccompArg> Args);

/// <summary>
/// Docker's profile expansion (moby/profiles seccomp.setupSeccomp), our own code with its rules:
/// the native architecture's archMap entry gives the architectures; a rule is dropped when an
/// "excludes" condition holds (the architecture is listed, or any listed capability is in the
/// container's set, or the kernel is at least minKernel) or an "includes" condition fails (the
/// architecture is not listed, or a listed capability is missing, or the kernel is older).
/// </summary>
public static class SeccompResolver
{
    /// <summary>The host as Docker's Go code names it: GOARCH mapped to libseccomp's names ("amd64", "arm64").</summary>
    public static string NativeArch => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "x86",
        Architecture.Arm => "arm",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.RiscV64 => "riscv64",
        Architecture.LoongArch64 => "loongarch64",
        var a => a.ToString().ToLowerInvariant(),
    };

    /// <summary>The SCMP_ARCH_* name of a Go-style architecture name (Docker's nativeToSeccomp).</summary>
    static string? ScmpArchOf(string native) => native switch
    {
        "x86" => "SCMP_ARCH_X86",
        "amd64" => "SCMP_ARCH_X86_64",
        "arm" => "SCMP_ARCH_ARM",
        "arm64" => "SCMP_ARCH_AARCH64",
        "loongarch64" => "SCMP_ARCH_LOONGARCH64",
        "mips64" => "SCMP_ARCH_MIPS64",
        "mips64n32" => "SCMP_ARCH_MIPS64N32",
        "mipsel64" => "SCMP_ARCH_MIPSEL64",
        "mips3l64n32" => "SCMP_ARCH_MIPSEL64N32",
        "mipsle" => "SCMP_ARCH_MIPSEL",
        "ppc" => "SCMP_ARCH_PPC",
        "ppc64" => "SCMP_ARCH_PPC64",
        "ppc64le" => "SCMP_ARCH_PPC64LE",
        "riscv64" => "SCMP_ARCH_RISCV64",
        "s390" => "SCMP_ARCH_S390",
        "s390x" => "SCMP_ARCH_S390X",
        _ => null,
    };

    /// <summary>The running kernel's version and major revision ("6.18.44-…" → (6, 18)).</summary>
    public static (int Kernel, int Major) KernelVersion => Kernel.Value;

    static readonly Lazy<(int, int)> Kernel = new(() =>
    {
        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        return ParseKernel(release) ?? throw new InvalidOperationException($"cannot parse the kernel release \"{release}\"");
    });

    internal static (int, int)? ParseKernel(string release)
    {
        var parts = release.Split('.', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], out var k)) return null;
        var digits = new string(parts[1].TakeWhile(char.IsAsciiDigit).ToArray());
        return int.TryParse(digits, out var m) ? (k, m) : null;
    }

    /// <summary>
    /// The profile for a container with these capabilities (CAP_* names, its bounding set), or null
    /// when the profile turns seccomp off (no default action and no rules, as Docker reads it).
    /// Mistakes in the profile are <see cref="InvalidArgumentException"/>s naming the rule.
    /// </summary>
    public static ResolvedSeccomp? Resolve(SeccompProfile profile, IReadOnlySet<string> capabilities, string? nativeArch = null, (int, int)? kernel = null)
    {
        if (string.IsNullOrEmpty(profile.DefaultAction) && (profile.Syscalls?.Count ?? 0) == 0) return null;
        if (string.IsNullOrEmpty(profile.DefaultAction))
            throw new InvalidArgumentException("invalid seccomp profile: defaultAction is required when syscalls are listed");
        if (profile.Architectures is { Count: > 0 } && profile.ArchMap is { Count: > 0 })
            throw new InvalidArgumentException("invalid seccomp profile: both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
        if (!string.IsNullOrEmpty(profile.ListenerPath))
            throw new InvalidArgumentException("invalid seccomp profile: listenerPath (SCMP_ACT_NOTIFY) needs a seccomp agent, which this engine does not run");
        var arch = nativeArch ?? NativeArch;
        var archs = new List<string>(profile.Architectures ?? []);
        if (ScmpArchOf(arch) is { } scmp && profile.ArchMap?.FirstOrDefault(a => a.Architecture == scmp) is { } entry)
        {
            archs.Add(scmp);
            archs.AddRange(entry.SubArchitectures ?? []);
        }

        var rules = new List<ResolvedSyscall>();
        for (var i = 0; i < (profile.Syscalls?.Count ?? 0); i++)
        {
            var rule = profile.Syscalls![i] ?? throw new InvalidArgumentException($"invalid seccomp profile: syscalls[{i}] is null");
            var names = rule.Names ?? [];
            if (!string.IsNullOrEmpty(rule.Name))
            {
                if (names.Count > 0)
                    throw new InvalidArgumentException($"invalid seccomp profile: syscalls[{i}]: both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'");
                names = [rule.Name];
            }
            if (!Applies(rule, i, arch, capabilities, kernel)) continue;
            if (string.IsNullOrEmpty(rule.Action)) throw new InvalidArgumentException($"invalid seccomp profile: syscalls[{i}] has no action");
            foreach (var name in names)
            {
                if (string.IsNullOrEmpty(name)) throw new InvalidArgumentException($"invalid seccomp profile: syscalls[{i}]: empty string is not a valid syscall");
                rules.Add(new ResolvedSyscall(name, rule.Action, rule.ErrnoRet, rule.Args ?? []));
            }
        }
        return new ResolvedSeccomp(profile.DefaultAction!, profile.DefaultErrnoRet, archs, profile.Flags ?? [], rules);
    }

    static bool Applies(SeccompRule rule, int index, string arch, IReadOnlySet<string> caps, (int, int)? kernel)
    {
        // Docker rejects a bad version while decoding, whether or not the rule would apply.
        if (rule.Excludes?.MinKernel is { Length: > 0 } exMin) ParseMinKernel(exMin, index);
        if (rule.Includes?.MinKernel is { Length: > 0 } incMin) ParseMinKernel(incMin, index);
        if (rule.Excludes is { } ex)
        {
            if (ex.Arches?.Contains(arch) == true) return false;
            if (ex.Caps?.Any(caps.Contains) == true) return false;
            if (ex.MinKernel is { Length: > 0 } min && KernelAtLeast(min, index, kernel)) return false;
        }
        if (rule.Includes is { } inc)
        {
            if (inc.Arches is { Count: > 0 } && !inc.Arches.Contains(arch)) return false;
            if (inc.Caps is { Count: > 0 } && !inc.Caps.All(caps.Contains)) return false;
            if (inc.MinKernel is { Length: > 0 } min && !KernelAtLeast(min, index, kernel)) return false;
        }
        return true;
    }

    static bool KernelAtLeast(string min, int index, (int, int)? kernel)
    {
        var (k, m) = ParseMinKernel(min, index);
        var (hk, hm) = kernel ?? KernelVersion;
        return hk > k || (hk == k && hm >= m);
    }

    static (int, int) ParseMinKernel(string min, int index)
    {
        var parts = min.Split('.');
        if (parts.Length != 2 || !byte.TryParse(parts[0], out var k) || !byte.TryParse(parts[1], out var m) || (k == 0 && m == 0))
            throw new InvalidArgumentException($"invalid seccomp profile: syscalls[{index}]: invalid kernel version: \"{min}\", expected \"<kernel>.<major>\"");
        return (k, m);
    }
}
