using System.Runtime.InteropServices;

namespace GitOps.Runtime.Linux;

/// <summary>
/// A failed system call, typed by its errno. Thrown only from this interop boundary, so callers
/// above it never see a raw -1 and can match on <see cref="Errno"/>.
/// </summary>
public sealed class ErrnoException : IOException
{
    public ErrnoException(Errno errno, string call, string? path = null)
        : base(Format(errno, call, path), (int)errno)
    {
        Errno = errno;
        Call = call;
        Path = path;
    }

    public Errno Errno { get; }
    public string Call { get; }
    public string? Path { get; }

    public static string Describe(Errno errno) => Marshal.GetPInvokeErrorMessage((int)errno);

    static string Format(Errno errno, string call, string? path) =>
        path is null ? $"{call}: {Describe(errno)}" : $"{call} {path}: {Describe(errno)}";
}

/// <summary>Linux errno values (x86_64 and arm64 share them).</summary>
public enum Errno
{
    EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8, EBADF = 9,
    ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18,
    ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26,
    EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34, EDEADLK = 35,
    ENAMETOOLONG = 36, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOVERFLOW = 75, ENOTSOCK = 88,
    EMSGSIZE = 90, EOPNOTSUPP = 95, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ECONNRESET = 104, ENOBUFS = 105,
    ETIMEDOUT = 110, ECONNREFUSED = 111,
}
