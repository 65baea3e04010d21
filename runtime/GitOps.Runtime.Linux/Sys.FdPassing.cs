using System.Runtime.InteropServices;

namespace GitOps.Runtime.Linux;

public static unsafe partial class Sys
{
    [LibraryImport(Libc, SetLastError = true)] private static partial nint sendmsg(int fd, byte* msg, int flags);
    [LibraryImport(Libc, SetLastError = true)] private static partial nint recvmsg(int fd, byte* msg, int flags);

    // struct msghdr on 64-bit Linux: name(8) namelen(4)+pad(4) iov(8) iovlen(8) control(8) controllen(8) flags(4)+pad(4).
    const int MsgHdrSize = 56, CmsgHeader = 16, CmsgSpaceOneFd = 24;
    const int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000;

    /// <summary>Sends one message with a descriptor attached (SCM_RIGHTS): how a pty master leaves the container.</summary>
    public static void SendWithFd(SafeFd socket, ReadOnlySpan<byte> data, SafeFd attached)
    {
        var msg = stackalloc byte[MsgHdrSize];
        var iov = stackalloc nint[2];
        var control = stackalloc byte[CmsgSpaceOneFd];
        new Span<byte>(msg, MsgHdrSize).Clear();
        new Span<byte>(control, CmsgSpaceOneFd).Clear();
        fixed (byte* d = data)
        {
            iov[0] = (nint)d;
            iov[1] = data.Length;
            *(nint*)(msg + 16) = (nint)iov;
            *(nint*)(msg + 24) = 1;
            *(nint*)(msg + 32) = (nint)control;
            *(nint*)(msg + 40) = CmsgSpaceOneFd;
            *(nint*)control = CmsgHeader + 4; // CMSG_LEN(sizeof(int))
            *(int*)(control + 8) = SOL_SOCKET;
            *(int*)(control + 12) = SCM_RIGHTS;
            *(int*)(control + 16) = attached.Fd;
            while (sendmsg(socket.Fd, msg, 0) < 0)
                if (LastErrno != Errno.EINTR) throw new ErrnoException(LastErrno, "sendmsg");
        }
    }

    /// <summary>Receives one message; a descriptor sent along with it comes back close-on-exec.</summary>
    public static int ReceiveWithFd(SafeFd socket, Span<byte> buffer, out SafeFd? attached)
    {
        attached = null;
        var msg = stackalloc byte[MsgHdrSize];
        var iov = stackalloc nint[2];
        var control = stackalloc byte[CmsgSpaceOneFd];
        new Span<byte>(msg, MsgHdrSize).Clear();
        new Span<byte>(control, CmsgSpaceOneFd).Clear();
        fixed (byte* d = buffer)
        {
            iov[0] = (nint)d;
            iov[1] = buffer.Length;
            *(nint*)(msg + 16) = (nint)iov;
            *(nint*)(msg + 24) = 1;
            *(nint*)(msg + 32) = (nint)control;
            *(nint*)(msg + 40) = CmsgSpaceOneFd;
            nint n;
            while ((n = recvmsg(socket.Fd, msg, MSG_CMSG_CLOEXEC)) < 0)
                if (LastErrno != Errno.EINTR) throw new ErrnoException(LastErrno, "recvmsg");
            var controlLen = *(nint*)(msg + 40);
            if (controlLen >= CmsgHeader + 4 && *(int*)(control + 8) == SOL_SOCKET && *(int*)(control + 12) == SCM_RIGHTS)
                attached = new SafeFd(*(int*)(control + 16));
            return (int)n;
        }
    }

    /// <summary>Opens a new pty from the devpts instance at <paramref name="ptmx"/>; returns the master and the slave's path.</summary>
    public static (SafeFd Master, string SlavePath) OpenPty(string ptmx)
    {
        var fd = Open(ptmx, O_RDWR | O_NOCTTY);
        var n = stackalloc uint[1];
        Check(Tmds.Linux.LibC.ioctl(fd.Fd, unchecked((int)0x80045430) /* TIOCGPTN */, n), "ioctl(TIOCGPTN)");
        var unlock = stackalloc int[1];
        unlock[0] = 0;
        Check(Tmds.Linux.LibC.ioctl(fd.Fd, 0x40045431 /* TIOCSPTLCK */, unlock), "ioctl(TIOCSPTLCK)");
        return (fd, Path.Combine(Path.GetDirectoryName(ptmx)!, n[0].ToString()));
    }
}
