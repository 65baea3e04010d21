using System.Runtime.InteropServices;

namespace GitOps.Runtime.Linux;

/// <summary>An owned file descriptor (file, pipe, socket, pidfd, namespace, epoll).</summary>
public sealed class SafeFd : SafeHandle
{
    public SafeFd() : base(new IntPtr(-1), ownsHandle: true) { }

    public SafeFd(int fd, bool ownsHandle = true) : base(new IntPtr(-1), ownsHandle) => SetHandle(new IntPtr(fd));

    public override bool IsInvalid => handle == new IntPtr(-1);

    /// <summary>The raw descriptor; valid while this handle is alive and not closed.</summary>
    public int Fd => (int)handle;

    /// <summary>Gives up ownership: the caller is now responsible for closing the descriptor.</summary>
    public int Release()
    {
        var fd = (int)handle;
        SetHandleAsInvalid();
        return fd;
    }

    protected override bool ReleaseHandle() => Tmds.Linux.LibC.close((int)handle) == 0;
}
