using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

public static unsafe partial class Sys
{
    /// <summary>Brings a network interface up (SIOCSIFFLAGS) in the calling thread's network namespace.</summary>
    public static void InterfaceUp(string name)
    {
        var sock = Check(socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | O_CLOEXEC, 0), "socket");
        try
        {
            var ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            var n = Z(name);
            for (var i = 0; i < Math.Min(n.Length, 15); i++) ifr[i] = n[i];
            Check(ioctl(sock, 0x8913 /* SIOCGIFFLAGS */, ifr), "ioctl(SIOCGIFFLAGS)", name);
            *(short*)(ifr + 16) |= 0x1 | 0x40; // IFF_UP | IFF_RUNNING
            Check(ioctl(sock, 0x8914 /* SIOCSIFFLAGS */, ifr), "ioctl(SIOCSIFFLAGS)", name);
        }
        finally { close(sock); }
    }
}

public static unsafe partial class Sys
{
    /// <summary>
    /// A TCP or UDP socket bound to ipv4:port (0: a free ephemeral port) and nothing more, with
    /// SO_REUSEADDR off: a port holder no other socket can share (unless the overload below asks for reuse). (.NET's Socket.Bind turns
    /// SO_REUSEADDR on for TCP, and two such bound sockets may share a port.) Returns the port bound.
    /// </summary>
    public static SafeFd BindIPv4(bool udp, ReadOnlySpan<byte> address, int port, out int boundPort) =>
        BindIPv4(udp, address, port, listenBacklog: 0, out boundPort);

    /// <summary>
    /// As above, and listening (TCP) when <paramref name="listenBacklog"/> is positive; with
    /// <paramref name="reuseAddress"/> SO_REUSEADDR is set before bind.
    /// </summary>
    public static SafeFd BindIPv4(bool udp, ReadOnlySpan<byte> address, int port, int listenBacklog, out int boundPort, bool reuseAddress = false)
    {
        if (address.Length != 4) throw new ArgumentException("an IPv4 address is 4 bytes", nameof(address));
        var fd = new SafeFd(Check(socket(2 /* AF_INET */, (udp ? 2 : 1) | O_CLOEXEC, 0), "socket"));
        try
        {
            var sa = stackalloc byte[16];
            new Span<byte>(sa, 16).Clear();
            *(ushort*)sa = 2;
            sa[2] = (byte)(port >> 8);
            sa[3] = (byte)port;
            address.CopyTo(new Span<byte>(sa + 4, 4));
            if (reuseAddress)
            {
                var one = 1;
                Check(setsockopt(fd.Fd, 1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, &one, sizeof(int)), "setsockopt(SO_REUSEADDR)");
            }
            Check(bind(fd.Fd, (Tmds.Linux.sockaddr*)sa, 16), "bind", $"{address[0]}.{address[1]}.{address[2]}.{address[3]}:{port}");
            var len = (Tmds.Linux.socklen_t)16;
            Check(getsockname(fd.Fd, (Tmds.Linux.sockaddr*)sa, &len), "getsockname");
            boundPort = (sa[2] << 8) | sa[3];
            if (!udp && listenBacklog > 0) Check(listen(fd.Fd, listenBacklog), "listen");
            return fd;
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }
}
