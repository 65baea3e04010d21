using System.Runtime.InteropServices;

namespace GitOps.Runtime.Linux;

/// <summary>
/// libseccomp (Debian's libseccomp2, the library runc and crun compile their filters with), used
/// by the daemon only: it turns a profile into a classic BPF program, which the container-init
/// helper then installs with one seccomp(2) call. The library is loaded on first use; a host
/// without it gets <see cref="SeccompUnavailableException"/>, never a crash.
/// Every libseccomp call returns a negative errno on failure (not -1 and errno).
/// </summary>
public static unsafe partial class LibSeccomp
{
    const string Lib = "libseccomp.so.2";

    [LibraryImport(Lib)] private static partial nint seccomp_init(uint defAction);
    [LibraryImport(Lib)] internal static partial void seccomp_release(nint ctx);
    [LibraryImport(Lib)] private static partial int seccomp_arch_add(nint ctx, uint arch);
    [LibraryImport(Lib)] private static partial int seccomp_arch_exist(nint ctx, uint arch);
    [LibraryImport(Lib)] private static partial uint seccomp_arch_resolve_name(byte* name);
    [LibraryImport(Lib)] private static partial uint seccomp_arch_native();
    [LibraryImport(Lib)] private static partial int seccomp_attr_set(nint ctx, int attr, uint value);
    [LibraryImport(Lib)] private static partial int seccomp_syscall_resolve_name(byte* name);
    [LibraryImport(Lib)] private static partial int seccomp_syscall_resolve_name_arch(uint arch, byte* name);
    [LibraryImport(Lib)] private static partial int seccomp_rule_add_array(nint ctx, uint action, int syscall, uint count, ArgCmp* args);
    [LibraryImport(Lib)] private static partial int seccomp_export_bpf(nint ctx, int fd);
    [LibraryImport(Lib)] private static partial LibVersion* seccomp_version();

    [StructLayout(LayoutKind.Sequential)]
    struct ArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct LibVersion
    {
        public uint Major, Minor, Micro;
    }

    // enum scmp_filter_attr
    const int AttrCtlNnp = 3, AttrCtlOptimize = 8;

    static readonly Lazy<string?> LoadError = new(() =>
        NativeLibrary.TryLoad(Lib, typeof(LibSeccomp).Assembly, null, out _) ? null
            : $"{Lib} could not be loaded: the seccomp profile cannot be compiled (install the libseccomp2 package, or run the container with --security-opt seccomp=unconfined)");

    /// <summary>Throws <see cref="SeccompUnavailableException"/> when the library is missing.</summary>
    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } error) throw new SeccompUnavailableException(error);
    }

    /// <summary>"2.5.4", or null when the library is missing.</summary>
    public static string? Version()
    {
        if (LoadError.Value is not null) return null;
        var v = seccomp_version();
        return v is null ? null : $"{v->Major}.{v->Minor}.{v->Micro}";
    }

    /// <summary>The architecture token (AUDIT_ARCH_* value, or libseccomp's own for x32) of a name such as "x86_64"; 0 if unknown.</summary>
    public static uint ResolveArch(string name)
    {
        EnsureLoaded();
        var n = Sys.Z(name);
        fixed (byte* p = n) return seccomp_arch_resolve_name(p);
    }

    public static uint NativeArch()
    {
        EnsureLoaded();
        return seccomp_arch_native();
    }

    /// <summary>
    /// The number of a system call on the native architecture, as runc resolves it: negative
    /// "pseudo" numbers name calls that exist only on other ABIs (socketcall), which libseccomp
    /// translates per architecture; null when libseccomp does not know the name.
    /// </summary>
    public static int? ResolveSyscall(string name)
    {
        EnsureLoaded();
        var n = Sys.Z(name);
        int nr;
        fixed (byte* p = n) nr = seccomp_syscall_resolve_name(p);
        return nr == -1 ? null : nr;
    }

    /// <summary>The number of a system call on one architecture (x32 numbers carry bit 30); null when it has none there.</summary>
    public static int? ResolveSyscall(uint arch, string name)
    {
        EnsureLoaded();
        var n = Sys.Z(name);
        int nr;
        fixed (byte* p = n) nr = seccomp_syscall_resolve_name_arch(arch, p);
        return nr == -1 ? null : nr;
    }

    /// <summary>A new filter with this default action; no_new_privs is left to the caller (the helper sets it itself).</summary>
    public static SeccompFilter Create(uint defaultAction)
    {
        EnsureLoaded();
        var ctx = seccomp_init(defaultAction);
        if (ctx == 0) throw new ErrnoException(Errno.EINVAL, $"seccomp_init(0x{defaultAction:x8})");
        var filter = new SeccompFilter(ctx);
        Check(seccomp_attr_set(ctx, AttrCtlNnp, 0), "seccomp_attr_set(SCMP_FLTATR_CTL_NNP)");
        return filter;
    }

    /// <summary>Adds an architecture; a no-op when the filter already has it (the native one).</summary>
    public static void AddArch(SeccompFilter filter, uint arch)
    {
        var ctx = filter.DangerousGetHandle();
        if (seccomp_arch_exist(ctx, arch) == 0) return;
        Check(seccomp_arch_add(ctx, arch), $"seccomp_arch_add(0x{arch:x8})");
    }

    /// <summary>libseccomp's binary-tree layout for long rule sets (what runc asks for past 32 rules).</summary>
    public static bool TryOptimize(SeccompFilter filter) => seccomp_attr_set(filter.DangerousGetHandle(), AttrCtlOptimize, 2) == 0;

    /// <summary>One argument comparison of a rule: op is enum scmp_compare (1 NE … 7 MASKED_EQ).</summary>
    public readonly record struct Condition(uint Arg, int Op, ulong A, ulong B);

    public static void AddRule(SeccompFilter filter, uint action, int syscall, IReadOnlyList<Condition> conditions, string what)
    {
        var args = stackalloc ArgCmp[Math.Max(conditions.Count, 1)];
        for (var i = 0; i < conditions.Count; i++)
            args[i] = new ArgCmp { Arg = conditions[i].Arg, Op = conditions[i].Op, DatumA = conditions[i].A, DatumB = conditions[i].B };
        Check(seccomp_rule_add_array(filter.DangerousGetHandle(), action, syscall, (uint)conditions.Count, args), $"seccomp_rule_add({what})");
    }

    /// <summary>The filter as the kernel takes it: struct sock_filter entries, 8 bytes each, host byte order.</summary>
    public static byte[] ExportBpf(SeccompFilter filter)
    {
        // A memfd rather than a pipe: no reader thread, no pipe-size limit on long programs.
        using var memfd = Sys.MemfdCreate("seccomp-bpf");
        Check(seccomp_export_bpf(filter.DangerousGetHandle(), memfd.Fd), "seccomp_export_bpf");
        return Sys.ReadAllFrom(memfd, 0);
    }

    static void Check(int rc, string call)
    {
        if (rc < 0) throw new ErrnoException((Errno)(-rc), call);
    }
}

/// <summary>A libseccomp filter context (scmp_filter_ctx).</summary>
public sealed class SeccompFilter : SafeHandle
{
    internal SeccompFilter(nint ctx) : base(0, ownsHandle: true) => SetHandle(ctx);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibSeccomp.seccomp_release(handle);
        return true;
    }
}

/// <summary>libseccomp is not installed: a seccomp profile cannot be compiled on this host.</summary>
public sealed class SeccompUnavailableException(string message) : Exception(message);
