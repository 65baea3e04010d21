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
