using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

public static unsafe partial class Sys
{
    [LibraryImport(Libc, SetLastError = true)] private static partial int posix_openpt(int flags);
    [LibraryImport(Libc, SetLastError = true)] private static partial int grantpt(int fd);
    [LibraryImport(Libc, SetLastError = true)] private static partial int unlockpt(int fd);
    [LibraryImport(Libc)] private static partial int ptsname_r(int fd, byte* buf, nuint len);
    [LibraryImport(Libc)] private static partial void cfmakeraw(termios* t);

    /// <summary>A new pseudo-terminal: the master stays with the daemon, the slave becomes the container's tty.</summary>
    public static (SafeFd Master, string SlavePath) OpenPty()
    {
        var fd = new SafeFd(Check(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), "posix_openpt"));
        Check(grantpt(fd.Fd), "grantpt");
        Check(unlockpt(fd.Fd), "unlockpt");
        var buf = stackalloc byte[128];
        var rc = ptsname_r(fd.Fd, buf, 128);
        if (rc != 0) throw new ErrnoException((Errno)rc, "ptsname_r");
        return (fd, Marshal.PtrToStringUTF8((IntPtr)buf)!);
    }

    public static void SetWindowSize(int fd, ushort rows, ushort cols)
    {
        var ws = stackalloc ushort[4];
        ws[0] = rows; ws[1] = cols; ws[2] = 0; ws[3] = 0;
        Check(ioctl(fd, 0x5414 /* TIOCSWINSZ */, ws), "ioctl(TIOCSWINSZ)");
    }

    public static (ushort Rows, ushort Cols)? GetWindowSize(int fd)
    {
        var ws = stackalloc ushort[4];
        if (ioctl(fd, 0x5413 /* TIOCGWINSZ */, ws) != 0) return null;
        return (ws[0], ws[1]);
    }

    public static bool IsTerminal(int fd) => isatty(fd) == 1;

    /// <summary>Puts a terminal into raw mode; returns the previous settings for <see cref="RestoreTerminal"/>.</summary>
    public static byte[]? MakeRaw(int fd)
    {
        termios t;
        if (tcgetattr(fd, &t) != 0) return null;
        var saved = new byte[sizeof(termios)];
        fixed (byte* s = saved) *(termios*)s = t;
        cfmakeraw(&t);
        tcsetattr(fd, 0 /* TCSANOW */, &t);
        return saved;
    }

    public static void RestoreTerminal(int fd, byte[] saved)
    {
        fixed (byte* s = saved) tcsetattr(fd, 0, (termios*)s);
    }
}
