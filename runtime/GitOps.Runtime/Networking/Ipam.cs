using System.Net;

namespace GitOps.Runtime.Networking;

/// <summary>
/// Address allocation in one subnet: the gateway is .1, containers and router VIPs take the lowest
/// free address. Allocations live in memory; after a daemon restart they are rebuilt from the
/// endpoints of the containers that still run.
/// </summary>
public sealed class Ipam(Ipv4Cidr subnet, IPAddress gateway)
{
    readonly Lock _gate = new();
    readonly HashSet<uint> _used = [Ipv4Cidr.ToUInt(gateway)];

    public IPAddress Allocate(IPAddress? wanted = null)
    {
        lock (_gate)
        {
            if (wanted is not null)
            {
                var w = Ipv4Cidr.ToUInt(wanted);
                if (!subnet.Contains(w) || w == subnet.Network || w == subnet.Broadcast)
                    throw new InvalidArgumentException($"address {wanted} is not a usable address of subnet {subnet}");
                if (!_used.Add(w)) throw new ConflictException($"Address already in use: {wanted}");
                return wanted;
            }
            for (var ip = subnet.Network + 1; ip < subnet.Broadcast; ip++)
                if (_used.Add(ip)) return Ipv4Cidr.FromUInt(ip);
            throw new ConflictException($"no available IPv4 addresses on network with subnet {subnet}");
        }
    }

    /// <summary>Marks an address taken (an adopted container keeps the address it has).</summary>
    public void Reserve(IPAddress ip)
    {
        lock (_gate) _used.Add(Ipv4Cidr.ToUInt(ip));
    }

    public void Release(IPAddress ip)
    {
        lock (_gate) _used.Remove(Ipv4Cidr.ToUInt(ip));
    }

    public int InUse
    {
        get { lock (_gate) return _used.Count - 1; }
    }
}
