using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace GitOps.Cluster.Membership;

/// <summary>Node ids, node names and addresses: made and checked in one place.</summary>
internal static partial class NodeNames
{
    /// <summary>25 characters of base36, as Docker's node and cluster ids.</summary>
    public static string NewId()
    {
        const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        return new string(RandomNumberGenerator.GetItems<char>(alphabet, 25));
    }

    /// <summary>A hostname-like name (it is a certificate SAN and the value node.hostname constraints match).</summary>
    public static string? Invalid(string name) =>
        name.Length is 0 or > 63 || !NamePattern().IsMatch(name)
            ? $"invalid node name \"{name}\": use 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit"
            : null;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    /// <summary>
    /// The address other nodes reach this one at: the one given, else the source address the kernel would
    /// use towards <paramref name="towards"/> (a UDP connect only asks the routing table; nothing is sent).
    /// </summary>
    public static IPAddress AdvertiseAddress(string? given, IPAddress? towards)
    {
        if (!string.IsNullOrEmpty(given))
        {
            if (!IPAddress.TryParse(given, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
                throw new ClusterException($"invalid advertise address \"{given}\": expected an IPv4 address of this node");
            return ip;
        }
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Connect(towards ?? IPAddress.Parse("192.0.2.1"), 9);
            var local = ((IPEndPoint)s.LocalEndPoint!).Address;
            if (!IPAddress.IsLoopback(local) || towards is not null && IPAddress.IsLoopback(towards)) return local;
        }
        catch (SocketException) { }
        throw new ClusterException("could not choose an advertise address (no route out of this node): give one with --advertise-addr");
    }

    /// <summary>MANAGER_ADDR[:PORT] → endpoint (default port 2377).</summary>
    public static IPEndPoint ManagerEndpoint(string text)
    {
        var ep = IPEndPoint.TryParse(text, out var parsed) ? parsed : null;
        if (ep is null || ep.AddressFamily != AddressFamily.InterNetwork)
            throw new ClusterException($"invalid manager address \"{text}\": expected IP[:PORT], such as 10.0.0.1 or 10.0.0.1:{ClusterInfo.DefaultJoinPort}");
        if (ep.Port == 0) ep.Port = ClusterInfo.DefaultJoinPort;
        return ep;
    }
}
