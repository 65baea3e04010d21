using System.Buffers.Binary;
using System.Net;
using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux.Netlink;

/// <summary>
/// rtnetlink: links, addresses and routes in one network namespace — the namespace the socket was
/// created in, whatever thread uses it later. What `ip link|addr|route` do, without a process each.
/// </summary>
public sealed unsafe class RtNetlink : IDisposable
{
    const ushort RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_NEWROUTE = 24;
    const ushort NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_DUMP = 0x300;
    const ushort NLMSG_ERROR = 2, NLMSG_DONE = 3;
    const ushort IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_LINKINFO = 18, IFLA_NET_NS_FD = 28;
    const ushort IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, VETH_INFO_PEER = 1;
    const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4;
    const ushort RTA_OIF = 4, RTA_GATEWAY = 5;
    const uint IFF_UP = 1;

    readonly SafeFd _fd;
    uint _seq;

    RtNetlink(SafeFd fd) => _fd = fd;

    /// <summary>A socket in the calling thread's network namespace.</summary>
    public static RtNetlink Open() =>
        new(new SafeFd(Sys.Check(socket(16 /* AF_NETLINK */, 3 /* SOCK_RAW */ | Sys.O_CLOEXEC, 0 /* NETLINK_ROUTE */), "socket(NETLINK_ROUTE)")));

    /// <summary>
    /// A socket in another network namespace: a short-lived thread enters it (setns acts on the
    /// thread only), creates the socket, and ends; the socket stays bound to that namespace.
    /// </summary>
    public static RtNetlink OpenIn(SafeFd netns) => new(Sys.InNetworkNamespace(netns, () =>
        new SafeFd(Sys.Check(socket(16, 3 | Sys.O_CLOEXEC, 0), "socket(NETLINK_ROUTE)"))));

    public int LinkIndex(string name)
    {
        foreach (var (index, n) in Links()) if (n == name) return index;
        return -1;
    }

    public IReadOnlyList<(int Index, string Name)> Links()
    {
        var msg = new NetlinkMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, ++_seq).Bytes(new byte[16]).Build();
        var result = new List<(int, string)>();
        foreach (var (type, body) in Dump(msg))
        {
            if (type != RTM_NEWLINK || body.Length < 16) continue;
            var index = BinaryPrimitives.ReadInt32LittleEndian(body.Span[4..]);
            foreach (var (attr, data) in NetlinkMessage.Attributes(body[16..]))
                if (attr == IFLA_IFNAME) result.Add((index, System.Text.Encoding.ASCII.GetString(data.Span).TrimEnd('\0')));
        }
        return result;
    }

    public void CreateBridge(string name)
    {
        var m = new NetlinkMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ++_seq)
            .Bytes(IfInfo(0, 0, 0))
            .Attr(IFLA_IFNAME, name)
            .BeginNested(IFLA_LINKINFO).Attr(IFLA_INFO_KIND, "bridge").EndNested();
        Request(m.Build(), $"create bridge {name}");
    }

    /// <summary>
    /// A veth pair whose peer is created directly in <paramref name="peerNetns"/> under
    /// <paramref name="peerName"/> (eth0 there does not clash with anything here).
    /// </summary>
    public void CreateVethPair(string hostName, string peerName, SafeFd peerNetns, byte[]? peerMac, int mtu)
    {
        var m = new NetlinkMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ++_seq)
            .Bytes(IfInfo(0, 0, 0))
            .Attr(IFLA_IFNAME, hostName)
            .Attr(IFLA_MTU, (uint)mtu)
            .BeginNested(IFLA_LINKINFO).Attr(IFLA_INFO_KIND, "veth")
            .BeginNested(IFLA_INFO_DATA).BeginNested(VETH_INFO_PEER)
            .Bytes(IfInfo(0, 0, 0))
            .Attr(IFLA_IFNAME, peerName)
            .Attr(IFLA_MTU, (uint)mtu)
            .Attr(IFLA_NET_NS_FD, (uint)peerNetns.Fd);
        if (peerMac is not null) m.Attr(IFLA_ADDRESS, peerMac);
        m.EndNested().EndNested().EndNested();
        Request(m.Build(), $"create veth {hostName}");
    }

    public void SetMaster(int index, int masterIndex) =>
        Request(new NetlinkMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ++_seq)
            .Bytes(IfInfo(index, 0, 0)).Attr(IFLA_MASTER, (uint)masterIndex).Build(), $"set master of link {index}");

    public void SetUp(int index) =>
        Request(new NetlinkMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ++_seq)
            .Bytes(IfInfo(index, IFF_UP, IFF_UP)).Build(), $"set link {index} up");

    public void DeleteLink(int index) =>
        Request(new NetlinkMessage(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, ++_seq).Bytes(IfInfo(index, 0, 0)).Build(), $"delete link {index}");

    public bool TryDeleteLink(string name)
    {
        var index = LinkIndex(name);
        if (index < 0) return false;
        try { DeleteLink(index); return true; }
        catch (ErrnoException e) when (e.Errno is Errno.ENODEV) { return false; }
    }

    public void AddAddress(int index, IPAddress address, int prefix)
    {
        var ip = address.GetAddressBytes();
        var body = new byte[8];
        body[0] = 2; // AF_INET
        body[1] = (byte)prefix;
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), index);
        var m = new NetlinkMessage(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ++_seq)
            .Bytes(body).Attr(IFA_LOCAL, ip).Attr(IFA_ADDRESS, ip).Attr(IFA_BROADCAST, Broadcast(ip, prefix));
        try { Request(m.Build(), $"add address {address}/{prefix}"); }
        catch (ErrnoException e) when (e.Errno == Errno.EEXIST) { }
    }

    public bool TryDeleteAddress(int index, IPAddress address, int prefix)
    {
        var ip = address.GetAddressBytes();
        var body = new byte[8];
        body[0] = 2;
        body[1] = (byte)prefix;
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), index);
        var m = new NetlinkMessage(21 /* RTM_DELADDR */, NLM_F_REQUEST | NLM_F_ACK, ++_seq).Bytes(body).Attr(IFA_LOCAL, ip).Attr(IFA_ADDRESS, ip);
        try { Request(m.Build(), $"delete address {address}/{prefix}"); return true; }
        catch (ErrnoException e) when (e.Errno is Errno.EADDRNOTAVAIL or Errno.ENODEV) { return false; }
    }

    public void AddDefaultRoute(IPAddress gateway, int oifIndex)
    {
        var body = new byte[12];
        body[0] = 2;     // AF_INET, dst_len 0: the default route
        body[4] = 254;   // RT_TABLE_MAIN
        body[5] = 3;     // RTPROT_BOOT
        body[6] = 0;     // RT_SCOPE_UNIVERSE
        body[7] = 1;     // RTN_UNICAST
        var m = new NetlinkMessage(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, ++_seq)
            .Bytes(body).Attr(RTA_GATEWAY, gateway.GetAddressBytes()).Attr(RTA_OIF, (uint)oifIndex);
        try { Request(m.Build(), $"add default route via {gateway}"); }
        catch (ErrnoException e) when (e.Errno == Errno.EEXIST) { }
    }

    static byte[] IfInfo(int index, uint flags, uint change)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), index);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), change);
        return b;
    }

    static byte[] Broadcast(byte[] ip, int prefix)
    {
        var v = BinaryPrimitives.ReadUInt32BigEndian(ip) | (prefix >= 32 ? 0 : uint.MaxValue >> prefix);
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }

    void Send(byte[] msg)
    {
        var addr = stackalloc byte[12];
        new Span<byte>(addr, 12).Clear();
        *(ushort*)addr = 16; // AF_NETLINK, nl_pid 0: the kernel
        fixed (byte* m = msg)
            while ((long)sendto(_fd.Fd, m, (Tmds.Linux.size_t)(ulong)msg.Length, 0, (Tmds.Linux.sockaddr*)addr, 12) < 0)
                if (Sys.LastErrno != Errno.EINTR) throw new ErrnoException(Sys.LastErrno, "sendto(netlink)");
    }

    /// <summary>Sends a request and waits for its acknowledgement; a negative error becomes an ErrnoException.</summary>
    void Request(byte[] msg, string what)
    {
        Send(msg);
        var seq = BinaryPrimitives.ReadUInt32LittleEndian(msg.AsSpan(8));
        foreach (var (type, body, msgSeq) in Receive())
        {
            if (msgSeq != seq || type != NLMSG_ERROR) continue;
            var error = -BinaryPrimitives.ReadInt32LittleEndian(body.Span);
            if (error != 0) throw new ErrnoException((Errno)error, "netlink: " + what);
            return;
        }
    }

    IEnumerable<(ushort Type, ReadOnlyMemory<byte> Body)> Dump(byte[] msg)
    {
        Send(msg);
        var seq = BinaryPrimitives.ReadUInt32LittleEndian(msg.AsSpan(8));
        while (true)
        {
            var done = false;
            var batch = new List<(ushort, ReadOnlyMemory<byte>)>();
            foreach (var (type, body, msgSeq) in ReceiveOnce())
            {
                if (msgSeq != seq) continue;
                if (type == NLMSG_DONE) { done = true; break; }
                if (type == NLMSG_ERROR)
                {
                    var error = -BinaryPrimitives.ReadInt32LittleEndian(body.Span);
                    if (error != 0) throw new ErrnoException((Errno)error, "netlink dump");
                    done = true;
                    break;
                }
                batch.Add((type, body));
            }
            foreach (var item in batch) yield return item;
            if (done) yield break;
        }
    }

    IEnumerable<(ushort Type, ReadOnlyMemory<byte> Body, uint Seq)> Receive()
    {
        while (true)
            foreach (var m in ReceiveOnce()) yield return m;
    }

    List<(ushort Type, ReadOnlyMemory<byte> Body, uint Seq)> ReceiveOnce()
    {
        var buf = new byte[64 * 1024];
        long n;
        fixed (byte* b = buf)
            while ((n = (long)recv(_fd.Fd, b, (Tmds.Linux.size_t)(ulong)buf.Length, 0)) < 0)
                if (Sys.LastErrno != Errno.EINTR) throw new ErrnoException(Sys.LastErrno, "recv(netlink)");
        var result = new List<(ushort, ReadOnlyMemory<byte>, uint)>();
        var off = 0;
        while (off + 16 <= n)
        {
            var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(off));
            if (len < 16 || off + len > n) break;
            var type = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(off + 4));
            var seq = BinaryPrimitives.ReadUInt32LittleEndian(buf.AsSpan(off + 8));
            result.Add((type, buf.AsMemory(off + 16, len - 16), seq));
            off += (len + 3) & ~3;
        }
        return result;
    }

    public void Dispose() => _fd.Dispose();
}
