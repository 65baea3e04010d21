using System.Buffers.Binary;
using System.Net;

namespace GitOps.Runtime.Networking;

/// <summary>An IPv4 subnet, e.g. 172.18.0.0/16.</summary>
public readonly record struct Ipv4Cidr(uint Network, int Prefix)
{
    public uint Mask => Prefix == 0 ? 0 : uint.MaxValue << (32 - Prefix);
    public uint Broadcast => Network | ~Mask;
    public int Size => Prefix >= 31 ? 0 : (int)Math.Min(int.MaxValue, (1L << (32 - Prefix)) - 2);

    public bool Contains(uint ip) => (ip & Mask) == Network;
    public bool Contains(IPAddress ip) => Contains(ToUInt(ip));
    public bool Overlaps(Ipv4Cidr other) => Contains(other.Network) || other.Contains(Network);

    public IPAddress Host(uint offset) => FromUInt(Network + offset);

    public override string ToString() => $"{FromUInt(Network)}/{Prefix}";

    public static bool TryParse(string s, out Ipv4Cidr cidr)
    {
        cidr = default;
        var slash = s.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(s[..slash], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) return false;
        if (!int.TryParse(s[(slash + 1)..], out var prefix) || prefix is < 8 or > 30) return false;
        var c = new Ipv4Cidr(0, prefix);
        cidr = c with { Network = ToUInt(ip) & c.Mask };
        return true;
    }

    public static Ipv4Cidr Parse(string s) =>
        TryParse(s, out var c) ? c : throw new InvalidArgumentException($"invalid subnet \"{s}\": expected an IPv4 CIDR such as 172.20.0.0/16 with a prefix from /8 to /30");

    public static uint ToUInt(IPAddress ip) => BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());

    public static IPAddress FromUInt(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return new IPAddress(b);
    }
}
