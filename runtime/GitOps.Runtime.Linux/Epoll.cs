using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

/// <summary>An epoll instance: one thread can wait on many pidfds and pipes at once.</summary>
public sealed unsafe class Epoll : IDisposable
{
    public const uint In = 0x001, Out = 0x004, Err = 0x008, Hup = 0x010, RdHup = 0x2000, EdgeTriggered = 1u << 31;

    readonly SafeFd _fd;

    public Epoll() => _fd = new SafeFd(Sys.Check(epoll_create1(0x80000 /* EPOLL_CLOEXEC */), "epoll_create1"));

    public void Add(SafeFd fd, uint events, ulong token) => Control(1 /* EPOLL_CTL_ADD */, fd.Fd, events, token);

    public void Remove(int fd)
    {
        var ev = default(epoll_event);
        epoll_ctl(_fd.Fd, 2 /* EPOLL_CTL_DEL */, fd, &ev); // ENOENT/EBADF: already gone, nothing to do
    }

    void Control(int op, int fd, uint events, ulong token)
    {
        var ev = default(epoll_event);
        ev.events = (int)events;
        ev.data.u64 = token;
        Sys.Check(epoll_ctl(_fd.Fd, op, fd, &ev), "epoll_ctl");
    }

    /// <summary>Waits for events; fills <paramref name="tokens"/> and <paramref name="events"/>, returns the count.</summary>
    public int Wait(Span<ulong> tokens, Span<uint> events, int timeoutMs)
    {
        var max = Math.Min(tokens.Length, 64);
        var evs = stackalloc epoll_event[max];
        while (true)
        {
            var n = epoll_wait(_fd.Fd, evs, max, timeoutMs);
            if (n >= 0)
            {
                for (var i = 0; i < n; i++) { tokens[i] = evs[i].data.u64; events[i] = (uint)evs[i].events; }
                return n;
            }
            if (Sys.LastErrno == Errno.EINTR) continue;
            throw new ErrnoException(Sys.LastErrno, "epoll_wait");
        }
    }

    public void Dispose() => _fd.Dispose();
}
