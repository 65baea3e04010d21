using System.Net;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Networking;

/// <summary>
/// Holds a host port for a published container port: a socket bound to it and never listening
/// (nftables DNAT takes the traffic before any socket would), so no other program can take the
/// port and a port already in use is a clear error at start, as docker-proxy makes it.
/// </summary>
sealed class PortReservation : IDisposable
{
    readonly SafeFd _fd;

    PortReservation(SafeFd fd, int port) => (_fd, Port) = (fd, port);

    /// <summary>The port held: the one asked for, or the ephemeral one the kernel chose for 0.</summary>
    public int Port { get; }

    /// <summary>
    /// Binds protocol/ip:port. Throws ErrnoException (EADDRINUSE: someone has the port). With
    /// <paramref name="reuseAddress"/> a listener on a specific local address may share the port
    /// (an http router's on its VIP), if it allows reuse too.
    /// </summary>
    public static PortReservation Bind(string protocol, IPAddress ip, int port, bool reuseAddress = false)
    {
        var fd = Sys.BindIPv4(protocol == "udp", ip.GetAddressBytes(), port, listenBacklog: 0, out var bound, reuseAddress);
        return new PortReservation(fd, bound);
    }

    public void Dispose() => _fd.Dispose();
}
