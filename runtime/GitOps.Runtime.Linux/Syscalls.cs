using System.Runtime.InteropServices;

namespace GitOps.Runtime.Linux;

/// <summary>
/// Numbers of the system calls that glibc has no wrapper for (or whose glibc wrapper does the wrong
/// thing for us). Old calls differ per architecture; calls added since 5.1 share one table.
/// </summary>
internal static class Syscalls
{
    static readonly bool Arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    public static long PivotRoot => Arm64 ? 41 : 155;
    public static long Capget => Arm64 ? 90 : 125;
    public static long Capset => Arm64 ? 91 : 126;
    public static long Execveat => Arm64 ? 281 : 322;
    public static long Gettid => Arm64 ? 178 : 186;
    public static long Setresuid => Arm64 ? 147 : 117;
    public static long Setresgid => Arm64 ? 149 : 119;
    public static long Setgroups => Arm64 ? 159 : 116;
    public static long Seccomp => Arm64 ? 277 : 317;
    public static long Keyctl => Arm64 ? 219 : 250;

    // Unified numbers (same on every architecture).
    public const long PidfdSendSignal = 424;
    public const long OpenTree = 428;
    public const long MoveMount = 429;
    public const long Fsopen = 430;
    public const long Fsconfig = 431;
    public const long Fsmount = 432;
    public const long PidfdOpen = 434;
    public const long CloseRange = 436;
    public const long PidfdGetfd = 438;
}
