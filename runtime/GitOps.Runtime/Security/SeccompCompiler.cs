using System.Collections.Concurrent;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Security;

/// <summary>A compiled filter, as the container-init helper installs it with seccomp(2).</summary>
/// <param name="Filter">struct sock_filter entries, host byte order.</param>
/// <param name="Flags">SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER).</param>
public sealed record SeccompProgram(byte[] Filter, uint Flags)
{
    public int Instructions => Filter.Length / BpfInstruction.Size;
}

/// <summary>
/// Profile → BPF, in the daemon. Why here and not in the helper: the helper installs the filter as
/// late as possible, after pivot_root, where the container's root (which need not have
/// libseccomp) is all it can load from; and compiling takes milliseconds that every start would
/// pay, where a cache keyed by profile and capability set makes it free after the first. The
/// helper gets the finished program in its spec and makes one seccomp(2) call.
/// Compilation follows runc's InitSeccomp: one libseccomp rule per system call, rules whose
/// action is the default skipped, names unknown to libseccomp ignored, several conditions on one
/// argument split into separate rules, binary-tree layout past 32 rules, then runc's ENOSYS
/// prologue (<see cref="EnosysStub"/>) unless the default action allows.
/// </summary>
public static class SeccompCompiler
{
    const int MaxInstructions = 4096; // BPF_MAXINSNS
    const uint ActKillThread = 0, ActKillProcess = 0x80000000, ActTrap = 0x00030000, ActErrno = 0x00050000,
        ActTrace = 0x7ff00000, ActLog = 0x7ffc0000, ActAllow = 0x7fff0000;
    const uint EPERM = 1;

    static readonly ConcurrentDictionary<(string Profile, ulong Caps), SeccompProgram?> Cache = new();

    /// <summary>
    /// The filter for a container with these security options and capabilities, or null for none
    /// (unconfined, privileged without a profile of its own, or a profile that disables seccomp).
    /// Cached: the built-in profile is compiled once per capability set.
    /// </summary>
    public static SeccompProgram? For(SecurityOptions options, bool privileged, ulong capabilities)
    {
        if (options.Seccomp == SeccompMode.Unconfined) return null;
        // Docker: --privileged runs without a filter unless a profile was named explicitly.
        if (privileged && options.Seccomp != SeccompMode.Custom) return null;
        var profile = options.Profile ?? SeccompProfile.Default;
        var key = options.Seccomp == SeccompMode.Custom ? options.ProfileText ?? "" : "";
        if (Cache.TryGetValue((key, capabilities), out var cached)) return cached;
        SeccompProgram? program;
        try { program = SeccompResolver.Resolve(profile, CapabilitySet.NamesOf(capabilities)) is { } resolved ? Compile(resolved) : null; }
        catch (SeccompUnavailableException e) { throw new SeccompUnavailableError(e.Message); }
        // Custom profiles come and go with their containers: keep the cache from growing without bound.
        if (Cache.Count > 256) Cache.Clear();
        Cache[(key, capabilities)] = program;
        return program;
    }

    /// <summary>Compiles a resolved profile; mistakes in it are <see cref="InvalidArgumentException"/>s naming the rule.</summary>
    public static SeccompProgram Compile(ResolvedSeccomp profile)
    {
        var defaultAction = Action(profile.DefaultAction, profile.DefaultErrnoRet, "defaultAction");
        var flags = Flags(profile.Flags);
        using var filter = LibSeccomp.Create(defaultAction);
        var arches = new List<uint> { LibSeccomp.NativeArch() };
        foreach (var name in profile.Architectures)
        {
            var token = ArchToken(name);
            LibSeccomp.AddArch(filter, token);
            if (!arches.Contains(token)) arches.Add(token);
        }
        if (profile.Syscalls.Count > 32) LibSeccomp.TryOptimize(filter);
        foreach (var call in profile.Syscalls)
        {
            var action = Action(call.Action, call.ErrnoRet, $"syscall {call.Name}");
            var conditions = call.Args.Select(a => Condition(a, call.Name)).ToList();
            if (action == defaultAction) continue; // redundant, and libseccomp refuses it
            if (LibSeccomp.ResolveSyscall(call.Name) is not { } nr) continue; // unknown to this libseccomp (a newer call): ignored, as runc does
            try
            {
                // Two conditions on one argument cannot be one libseccomp rule: each becomes its own (runc's rule).
                var split = conditions.GroupBy(c => c.Arg).Any(g => g.Count() > 1);
                if (split) foreach (var c in conditions) LibSeccomp.AddRule(filter, action, nr, [c], call.Name);
                else LibSeccomp.AddRule(filter, action, nr, conditions, call.Name);
            }
            catch (ErrnoException e)
            {
                throw new InvalidArgumentException($"invalid seccomp profile: syscall {call.Name}: {e.Message}");
            }
        }

        var program = new List<BpfInstruction>();
        if (!IsAllow(profile.DefaultAction) && defaultAction != (ActErrno | 38))
            program.AddRange(EnosysStub.Generate(LastSyscalls(profile, arches)));
        program.AddRange(BpfInstruction.Decode(LibSeccomp.ExportBpf(filter)));
        if (program.Count > MaxInstructions)
            throw new InvalidArgumentException($"invalid seccomp profile: it compiles to {program.Count} BPF instructions, more than the kernel's limit of {MaxInstructions}");
        return new SeccompProgram(BpfInstruction.Encode(program), flags);
    }

    /// <summary>The highest number among the profile's calls, per architecture (runc's findLastSyscalls).</summary>
    static Dictionary<uint, Dictionary<uint, uint>> LastSyscalls(ResolvedSeccomp profile, IReadOnlyList<uint> arches)
    {
        var result = new Dictionary<uint, Dictionary<uint, uint>>();
        foreach (var arch in arches)
        {
            var largest = 0;
            foreach (var call in profile.Syscalls)
                if (LibSeccomp.ResolveSyscall(arch, call.Name) is { } nr && nr > largest) largest = nr;
            if (largest == 0) continue;
            var audit = EnosysStub.AuditArchOf(arch);
            if (!result.TryGetValue(audit, out var byArch)) result[audit] = byArch = [];
            byArch[arch] = (uint)largest;
        }
        return result;
    }

    static bool IsAllow(string action) => action is "SCMP_ACT_ALLOW" or "SCMP_ACT_LOG" or "SCMP_ACT_TRACE";

    static uint Action(string action, uint? errnoRet, string where)
    {
        if (errnoRet is > 4095) throw new InvalidArgumentException($"invalid seccomp profile: {where}: errnoRet {errnoRet} is out of range (at most 4095)");
        return action switch
        {
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => ActKillThread,
            "SCMP_ACT_KILL_PROCESS" => ActKillProcess,
            "SCMP_ACT_TRAP" => ActTrap,
            "SCMP_ACT_ERRNO" => ActErrno | (errnoRet ?? EPERM),
            "SCMP_ACT_TRACE" => ActTrace | (errnoRet ?? EPERM),
            "SCMP_ACT_ALLOW" => ActAllow,
            "SCMP_ACT_LOG" => ActLog,
            "SCMP_ACT_NOTIFY" => throw new InvalidArgumentException($"invalid seccomp profile: {where}: SCMP_ACT_NOTIFY needs a seccomp agent, which this engine does not run"),
            _ => throw new InvalidArgumentException($"invalid seccomp profile: {where}: unknown action \"{action}\" (expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_TRACE or SCMP_ACT_LOG)"),
        };
    }

    static LibSeccomp.Condition Condition(SeccompArg a, string call)
    {
        if (a.Index > 5) throw new InvalidArgumentException($"invalid seccomp profile: syscall {call}: argument index {a.Index} is out of range (0 to 5)");
        var op = a.Op switch
        {
            "SCMP_CMP_NE" => 1,
            "SCMP_CMP_LT" => 2,
            "SCMP_CMP_LE" => 3,
            "SCMP_CMP_EQ" => 4,
            "SCMP_CMP_GE" => 5,
            "SCMP_CMP_GT" => 6,
            "SCMP_CMP_MASKED_EQ" => 7,
            _ => throw new InvalidArgumentException($"invalid seccomp profile: syscall {call}: unknown operator \"{a.Op}\" (expected SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ)"),
        };
        return new LibSeccomp.Condition(a.Index, op, a.Value, a.ValueTwo);
    }

    static uint ArchToken(string name)
    {
        // "SCMP_ARCH_X86_64" → libseccomp's "x86_64"; the OCI names are libseccomp's with a prefix.
        var n = name.StartsWith("SCMP_ARCH_", StringComparison.Ordinal) ? name["SCMP_ARCH_".Length..].ToLowerInvariant() : name.ToLowerInvariant();
        var token = LibSeccomp.ResolveArch(n);
        return token != 0 ? token : throw new InvalidArgumentException($"invalid seccomp profile: unknown architecture \"{name}\"");
    }

    static uint Flags(IReadOnlyList<string> flags)
    {
        uint result = 0;
        foreach (var f in flags)
        {
            result |= f switch
            {
                // All threads but the one that execs die at exec: syncing them changes nothing (runc ignores it too).
                "SECCOMP_FILTER_FLAG_TSYNC" => 0u,
                "SECCOMP_FILTER_FLAG_LOG" => 2u,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => 4u,
                "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => throw new InvalidArgumentException("invalid seccomp profile: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV applies to SCMP_ACT_NOTIFY only, which this engine does not run"),
                _ => throw new InvalidArgumentException($"invalid seccomp profile: unknown flag \"{f}\" (expected SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG or SECCOMP_FILTER_FLAG_SPEC_ALLOW)"),
            };
        }
        return result;
    }
}

/// <summary>The host cannot compile a seccomp filter (libseccomp is missing): the daemon's problem, not the request's.</summary>
public sealed class SeccompUnavailableError(string message) : EngineException(message)
{
    public override EngineErrorKind Kind => EngineErrorKind.HostUnavailable;
}
