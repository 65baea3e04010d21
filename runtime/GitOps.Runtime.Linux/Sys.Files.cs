using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

/// <summary>What lstat/statx says of one file, without following a final symlink.</summary>
public readonly record struct FileStat(
    uint Mode, uint Uid, uint Gid, long Size, ulong Inode, ulong Device, uint Links,
    uint RdevMajor, uint RdevMinor, long MtimeSeconds, uint MtimeNanos)
{
    public const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000,
        S_IFBLK = 0x6000, S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;
    public uint Type => Mode & S_IFMT;
    public uint Permissions => Mode & 0xFFF;
    public bool IsDirectory => Type == S_IFDIR;
    public bool IsRegular => Type == S_IFREG;
    public bool IsSymlink => Type == S_IFLNK;
    public bool IsCharDevice => Type == S_IFCHR;
    /// <summary>overlayfs marks a deleted lower file with a 0/0 character device in the upper layer.</summary>
    public bool IsOverlayWhiteout => IsCharDevice && RdevMajor == 0 && RdevMinor == 0;
}

public static unsafe partial class Sys
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100,
        O_TRUNC = 0x200, O_APPEND = 0x400, O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000,
        O_CLOEXEC = 0x80000, O_PATH = 0x200000;

    public static SafeFd Open(string path, int flags, uint mode = 0)
    {
        var p = Z(path);
        fixed (byte* pp = p)
        {
            while (true)
            {
                var fd = open(pp, flags | O_CLOEXEC, (Tmds.Linux.mode_t)mode);
                if (fd >= 0) return new SafeFd(fd);
                if (LastErrno != Errno.EINTR) throw new ErrnoException(LastErrno, "open", path);
            }
        }
    }

    /// <summary>Opens without throwing; returns null with the errno on failure.</summary>
    public static SafeFd? TryOpen(string path, int flags, out Errno errno, uint mode = 0)
    {
        errno = 0;
        try { return Open(path, flags, mode); }
        catch (ErrnoException e) { errno = e.Errno; return null; }
    }

    /// <summary>Reads what is there; returns 0 at end of file and -1 when a non-blocking fd has nothing.</summary>
    public static int Read(SafeFd fd, Span<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var n = (long)read(fd.Fd, b, (size_t)(ulong)buffer.Length);
                if (n >= 0) return (int)n;
                var e = LastErrno;
                if (e == Errno.EINTR) continue;
                if (e == Errno.EAGAIN) return -1;
                throw new ErrnoException(e, "read");
            }
        }
    }

    /// <summary>Writes the whole buffer (looping over short writes).</summary>
    public static void WriteAll(SafeFd fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            var off = 0;
            while (off < buffer.Length)
            {
                var n = (long)write(fd.Fd, b + off, (size_t)(ulong)(buffer.Length - off));
                if (n >= 0) { off += (int)n; continue; }
                if (LastErrno == Errno.EINTR) continue;
                throw new ErrnoException(LastErrno, "write");
            }
        }
    }

    /// <summary>One write; returns bytes written, or -1 when a non-blocking fd is full.</summary>
    public static int TryWrite(SafeFd fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var n = (long)write(fd.Fd, b, (size_t)(ulong)buffer.Length);
                if (n >= 0) return (int)n;
                var e = LastErrno;
                if (e == Errno.EINTR) continue;
                if (e == Errno.EAGAIN) return -1;
                throw new ErrnoException(e, "write");
            }
        }
    }

    public static (SafeFd Read, SafeFd Write) Pipe(bool nonBlocking = false)
    {
        int* fds = stackalloc int[2];
        Check(pipe2(fds, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)), "pipe2");
        return (new SafeFd(fds[0]), new SafeFd(fds[1]));
    }

    /// <summary>A connected SOCK_SEQPACKET pair: message boundaries kept, EOF when the peer closes.</summary>
    public static (SafeFd A, SafeFd B) SeqPacketPair()
    {
        int* fds = stackalloc int[2];
        Check(socketpair(1 /* AF_UNIX */, 5 /* SOCK_SEQPACKET */ | O_CLOEXEC, 0, fds), "socketpair");
        return (new SafeFd(fds[0]), new SafeFd(fds[1]));
    }

    /// <summary>
    /// A SOCK_SEQPACKET message must fit the sender's buffer whole (EMSGSIZE otherwise), and the default buffer is
    /// about 200 KiB: raises it to <paramref name="bytes"/> — with SO_SNDBUFFORCE, past net.core.wmem_max, when
    /// the process may (root) — so one message can carry what a container's spec may hold (2 MiB of environment).
    /// </summary>
    public static void RaiseSendBuffer(SafeFd fd, int bytes)
    {
        const int SOL_SOCKET = 1, SO_SNDBUF = 7, SO_SNDBUFFORCE = 32;
        int value = bytes;
        if (setsockopt(fd.Fd, SOL_SOCKET, SO_SNDBUFFORCE, &value, sizeof(int)) == 0) return;
        Check(setsockopt(fd.Fd, SOL_SOCKET, SO_SNDBUF, &value, sizeof(int)), "setsockopt");
    }

    public static void SetCloseOnExec(SafeFd fd, bool on)
    {
        var flags = Check(fcntl(fd.Fd, 1 /* F_GETFD */), "fcntl");
        Check(fcntl(fd.Fd, 2 /* F_SETFD */, on ? flags | 1 : flags & ~1), "fcntl");
    }

    public static void SetNonBlocking(SafeFd fd, bool on)
    {
        var flags = Check(fcntl(fd.Fd, 3 /* F_GETFL */), "fcntl");
        Check(fcntl(fd.Fd, 4 /* F_SETFL */, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK), "fcntl");
    }

    /// <summary>Grows a pipe's kernel buffer (best effort: capped by /proc/sys/fs/pipe-max-size).</summary>
    public static int SetPipeSize(SafeFd fd, int size) => fcntl(fd.Fd, 1031 /* F_SETPIPE_SZ */, size);

    public static void Dup2(int from, int to) => Check(dup2(from, to), "dup2");

    public static void Mkfifo(string path, uint mode)
    {
        var p = Z(path);
        fixed (byte* pp = p) Check(mkfifo(pp, (Tmds.Linux.mode_t)mode), "mkfifo", path);
    }

    public static void Mknod(string path, uint mode, uint major, uint minor)
    {
        var p = Z(path);
        ulong dev = ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8)
                  | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
        fixed (byte* pp = p) Check(mknod(pp, (Tmds.Linux.mode_t)mode, dev), "mknod", path);
    }

    public static void Lchown(string path, uint uid, uint gid)
    {
        var p = Z(path);
        fixed (byte* pp = p) Check(lchown(pp, uid, gid), "lchown", path);
    }

    public static void Chmod(string path, uint mode)
    {
        var p = Z(path);
        fixed (byte* pp = p) Check(chmod(pp, (Tmds.Linux.mode_t)mode), "chmod", path);
    }

    /// <summary>fchown(2): owner of an open file, never of whatever a path may point to by then.</summary>
    public static void Fchown(SafeFd fd, uint uid, uint gid) => Check(fchown(fd.Fd, uid, gid), "fchown");

    /// <summary>fchmod(2); unlike open's mode it is not reduced by the umask.</summary>
    public static void Fchmod(SafeFd fd, uint mode) => Check(fchmod(fd.Fd, (Tmds.Linux.mode_t)mode), "fchmod");

    public static void Symlink(string target, string linkPath)
    {
        var t = Z(target); var l = Z(linkPath);
        fixed (byte* tp = t) fixed (byte* lp = l) Check(symlink(tp, lp), "symlink", linkPath);
    }

    public static void Link(string existing, string newPath)
    {
        var a = Z(existing); var b = Z(newPath);
        fixed (byte* ap = a) fixed (byte* bp = b) Check(link(ap, bp), "link", newPath);
    }

    /// <summary>Sets mtime (and atime to the same) of a path without following a final symlink.</summary>
    public static void SetTimesNoFollow(string path, long seconds, uint nanos)
    {
        var p = Z(path);
        timespec* ts = stackalloc timespec[2];
        ts[0].tv_sec = seconds; ts[0].tv_nsec = (Tmds.Linux.long_t)(long)nanos;
        ts[1].tv_sec = seconds; ts[1].tv_nsec = (Tmds.Linux.long_t)(long)nanos;
        fixed (byte* pp = p) Check(utimensat(-100 /* AT_FDCWD */, pp, ts, 0x100 /* AT_SYMLINK_NOFOLLOW */), "utimensat", path);
    }

    public static FileStat Lstat(string path) =>
        TryLstat(path, out var st, out var errno) ? st : throw new ErrnoException(errno, "statx", path);

    public static bool TryLstat(string path, out FileStat st, out Errno errno)
    {
        var p = Z(path);
        statx sx;
        fixed (byte* pp = p)
        {
            if (statx(-100, pp, 0x100 /* AT_SYMLINK_NOFOLLOW */, 0x7ff /* STATX_BASIC_STATS */, &sx) == -1)
            {
                errno = LastErrno; st = default; return false;
            }
        }
        errno = 0;
        st = new FileStat(sx.stx_mode, sx.stx_uid, sx.stx_gid, (long)sx.stx_size, sx.stx_ino,
            ((ulong)sx.stx_dev_major << 32) | sx.stx_dev_minor, sx.stx_nlink, sx.stx_rdev_major, sx.stx_rdev_minor,
            sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec);
        return true;
    }

    [LibraryImport(Libc, SetLastError = true)]
    private static partial nint lgetxattr(byte* path, byte* name, byte* value, nuint size);
    [LibraryImport(Libc, SetLastError = true)]
    private static partial int lsetxattr(byte* path, byte* name, byte* value, nuint size, int flags);
    [LibraryImport(Libc, SetLastError = true)]
    private static partial nint llistxattr(byte* path, byte* list, nuint size);

    /// <summary>Value of an extended attribute, or null if the file has none of that name.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        var p = Z(path); var n = Z(name);
        fixed (byte* pp = p) fixed (byte* np = n)
        {
            var size = lgetxattr(pp, np, null, 0);
            if (size < 0)
            {
                var e = LastErrno;
                if (e is Errno.ENODATA or Errno.EOPNOTSUPP) return null;
                throw new ErrnoException(e, "lgetxattr", path);
            }
            var buf = new byte[size];
            fixed (byte* bp = buf)
            {
                size = lgetxattr(pp, np, bp, (nuint)buf.Length);
                if (size < 0) throw new ErrnoException(LastErrno, "lgetxattr", path);
            }
            return buf.AsSpan(0, (int)size).ToArray();
        }
    }

    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        var p = Z(path); var n = Z(name);
        fixed (byte* pp = p) fixed (byte* np = n) fixed (byte* vp = value)
            Check(lsetxattr(pp, np, vp, (nuint)value.Length, 0), "lsetxattr", path);
    }

    public static IReadOnlyList<string> ListXattrs(string path)
    {
        var p = Z(path);
        fixed (byte* pp = p)
        {
            var size = llistxattr(pp, null, 0);
            if (size < 0)
            {
                if (LastErrno == Errno.EOPNOTSUPP) return [];
                throw new ErrnoException(LastErrno, "llistxattr", path);
            }
            if (size == 0) return [];
            var buf = new byte[size];
            fixed (byte* bp = buf) size = llistxattr(pp, bp, (nuint)buf.Length);
            if (size < 0) throw new ErrnoException(LastErrno, "llistxattr", path);
            return System.Text.Encoding.UTF8.GetString(buf, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int flock(int fd, int operation);

    /// <summary>Takes an exclusive advisory lock; false if another process holds it.</summary>
    public static bool TryLockExclusive(SafeFd fd)
    {
        while (true)
        {
            if (flock(fd.Fd, 2 /* LOCK_EX */ | 4 /* LOCK_NB */) == 0) return true;
            var e = LastErrno;
            if (e == Errno.EINTR) continue;
            if (e == Errno.EAGAIN) return false;
            throw new ErrnoException(e, "flock");
        }
    }

    public static string ReadLink(string path)
    {
        var p = Z(path);
        var buf = new byte[4096];
        fixed (byte* pp = p) fixed (byte* bp = buf)
        {
            var n = (long)readlink(pp, bp, (size_t)(ulong)buf.Length);
            if (n < 0) throw new ErrnoException(LastErrno, "readlink", path);
            return System.Text.Encoding.UTF8.GetString(buf, 0, (int)n);
        }
    }
}

public static unsafe partial class Sys
{
    /// <summary>Waits until <paramref name="fd"/> is readable (or at EOF/hangup); false on timeout.</summary>
    public static bool PollReadable(SafeFd fd, int timeoutMs)
    {
        var pfd = stackalloc Tmds.Linux.pollfd[1];
        pfd[0].fd = fd.Fd;
        pfd[0].events = 0x001; // POLLIN
        var deadline = timeoutMs < 0 ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var wait = timeoutMs < 0 ? -1 : (int)Math.Max(0, deadline - Environment.TickCount64);
            var n = poll(pfd, 1, wait);
            if (n > 0) return true;
            if (n == 0) return false;
            if (LastErrno != Errno.EINTR) throw new ErrnoException(LastErrno, "poll");
        }
    }
}

public static unsafe partial class Sys
{
    /// <summary>dup(2) with close-on-exec.</summary>
    public static SafeFd Dup(SafeFd fd) => new(Check(fcntl(fd.Fd, 1030 /* F_DUPFD_CLOEXEC */, 3), "fcntl(F_DUPFD_CLOEXEC)"));
}

public static unsafe partial class Sys
{
    public static void Fsync(SafeFd fd)
    {
        while (fsync(fd.Fd) != 0)
            if (LastErrno != Errno.EINTR) throw new ErrnoException(LastErrno, "fsync");
    }
}

public static unsafe partial class Sys
{
    /// <summary>An anonymous file in memory (memfd_create), close-on-exec, sealable.</summary>
    public static SafeFd MemfdCreate(string name)
    {
        var n = Z(name);
        fixed (byte* np = n) return new SafeFd(Check(memfd_create(np, 0x0001 /* MFD_CLOEXEC */ | 0x0002 /* MFD_ALLOW_SEALING */), "memfd_create"));
    }

    /// <summary>Seals a memfd against any further change: no write, no resize, no new seals.</summary>
    public static void SealMemfd(SafeFd fd) =>
        Check(fcntl(fd.Fd, 1033 /* F_ADD_SEALS */, 1 | 2 | 4 | 8 /* SEAL, SHRINK, GROW, WRITE */), "fcntl(F_ADD_SEALS)");
}
