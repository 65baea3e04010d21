using System.Runtime.InteropServices;
using System.Text;
using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

public static unsafe partial class Sys
{
    const int SECCOMP_SET_MODE_FILTER = 1;

    [StructLayout(LayoutKind.Sequential)]
    struct SockFprog
    {
        public ushort Len;
        public byte* Filter;
    }

    /// <summary>
    /// seccomp(SECCOMP_SET_MODE_FILTER): installs a classic BPF program (8-byte struct sock_filter
    /// entries) on the calling thread; the filter is inherited across fork and kept across execve.
    /// Without no_new_privs the caller needs CAP_SYS_ADMIN.
    /// </summary>
    public static void SeccompSetFilter(ReadOnlySpan<byte> program, uint flags)
    {
        if (program.Length == 0 || program.Length % 8 != 0 || program.Length / 8 > ushort.MaxValue)
            throw new ArgumentException($"a BPF program is a non-empty multiple of 8 bytes, not {program.Length}", nameof(program));
        fixed (byte* p = program)
        {
            var prog = new SockFprog { Len = (ushort)(program.Length / 8), Filter = p };
            Check(syscall(Syscalls.Seccomp, SECCOMP_SET_MODE_FILTER, flags, (long)&prog), "seccomp(SECCOMP_SET_MODE_FILTER)");
        }
    }

    const int KEYCTL_JOIN_SESSION_KEYRING = 1, KEYCTL_SETPERM = 5, KEYCTL_DESCRIBE = 6;

    /// <summary>
    /// keyctl(KEYCTL_JOIN_SESSION_KEYRING, name): joins the keyring of that name if the caller may
    /// search it, else creates a new one, and makes it the session keyring of this process (not
    /// shared with the parent). Returns its serial.
    /// </summary>
    public static int JoinSessionKeyring(string name)
    {
        var n = Z(name);
        fixed (byte* np = n) return (int)Check(syscall(Syscalls.Keyctl, KEYCTL_JOIN_SESSION_KEYRING, (long)np), "keyctl(KEYCTL_JOIN_SESSION_KEYRING)", name);
    }

    /// <summary>keyctl(KEYCTL_DESCRIBE): "type;uid;gid;perm;description", perm in hex.</summary>
    public static string DescribeKey(int serial)
    {
        var buffer = new byte[512];
        fixed (byte* b = buffer)
        {
            var n = (int)Check(syscall(Syscalls.Keyctl, KEYCTL_DESCRIBE, serial, (long)b, buffer.Length), "keyctl(KEYCTL_DESCRIBE)");
            return Encoding.UTF8.GetString(buffer, 0, Math.Max(0, Math.Min(n, buffer.Length) - 1));
        }
    }

    public static void SetKeyPermissions(int serial, uint perm) =>
        Check(syscall(Syscalls.Keyctl, KEYCTL_SETPERM, serial, perm), "keyctl(KEYCTL_SETPERM)");

    /// <summary>Everything from <paramref name="offset"/> to the end of a file (pread, so the file position is untouched).</summary>
    public static byte[] ReadAllFrom(SafeFd fd, long offset)
    {
        using var result = new MemoryStream();
        var buffer = new byte[64 * 1024];
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var n = (long)pread(fd.Fd, b, (Tmds.Linux.size_t)(ulong)buffer.Length, offset);
                if (n < 0)
                {
                    if (LastErrno == Errno.EINTR) continue;
                    throw new ErrnoException(LastErrno, "pread");
                }
                if (n == 0) return result.ToArray();
                result.Write(buffer, 0, (int)n);
                offset += n;
            }
        }
    }
}
