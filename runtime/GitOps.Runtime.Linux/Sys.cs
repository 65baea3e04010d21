using System.Runtime.InteropServices;
using System.Text;

namespace GitOps.Runtime.Linux;

/// <summary>
/// One thin wrapper per system call. Each retries EINTR where the call can be interrupted and turns
/// -1/errno into an <see cref="ErrnoException"/>; nothing above this class sees errno.
/// </summary>
public static unsafe partial class Sys
{
    internal const string Libc = "libc.so.6";

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    /// <summary>syscall(2) for calls without a glibc wrapper; unused trailing arguments are ignored by the kernel.</summary>
    internal static long syscall(long number, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0) =>
        syscall6(number, a1, a2, a3, a4, a5, 0);

    internal static Errno LastErrno => (Errno)Marshal.GetLastPInvokeError();

    internal static int Check(int rc, string call, string? path = null)
    {
        if (rc == -1) throw new ErrnoException(LastErrno, call, path);
        return rc;
    }

    internal static long Check(long rc, string call, string? path = null)
    {
        if (rc == -1) throw new ErrnoException(LastErrno, call, path);
        return rc;
    }

    /// <summary>NUL-terminated UTF-8 copy of a string, for passing paths to the kernel.</summary>
    internal static byte[] Z(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    internal static byte[]? ZOrNull(string? s) => s is null ? null : Z(s);

    /// <summary>A NULL-terminated array of C strings, kept alive by the returned owner.</summary>
    internal sealed class CStringArray : IDisposable
    {
        readonly IntPtr[] _ptrs;
        public CStringArray(IReadOnlyList<string> items)
        {
            _ptrs = new IntPtr[items.Count + 1];
            for (var i = 0; i < items.Count; i++) _ptrs[i] = Marshal.StringToCoTaskMemUTF8(items[i]);
            Pointer = (byte**)NativeMemory.Alloc((nuint)(_ptrs.Length * sizeof(IntPtr)));
            for (var i = 0; i < _ptrs.Length; i++) Pointer[i] = (byte*)_ptrs[i];
        }
        public byte** Pointer { get; }
        public void Dispose()
        {
            foreach (var p in _ptrs) if (p != IntPtr.Zero) Marshal.FreeCoTaskMem(p);
            NativeMemory.Free(Pointer);
        }
    }
}
