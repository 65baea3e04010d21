using System.Buffers.Binary;
using System.Net;
using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux.Netlink;

/// <summary>One connection-tracking entry: the original direction (client to the address it dialled) and the reply direction (backend to client).</summary>
public sealed record ConntrackEntry(byte Protocol, IPAddress OrigSource, IPAddress OrigDestination, ushort OrigSourcePort, ushort OrigDestinationPort,
    IPAddress ReplySource, IPAddress ReplyDestination, ushort ReplySourcePort, ushort ReplyDestinationPort, byte? TcpState)
{
    public const byte Tcp = 6, Udp = 17;
    /// <summary>TCP_CONNTRACK_TIME_WAIT and TCP_CONNTRACK_CLOSE: the connection is over, only its entry lingers.</summary>
    public bool IsClosed => TcpState is 7 or 8;
}

/// <summary>
/// ctnetlink (NETLINK_NETFILTER, subsystem NFNL_SUBSYS_CTNETLINK): the kernel's connection-tracking
/// table, read and pruned as `conntrack -L` / `conntrack -D` do, without a process per call. A router
/// drain asks it which connections a backend still has: after a DNAT rule changes, established
/// connections keep the mapping their entry recorded, and the entry's reply tuple names the backend.
/// The socket belongs to the namespace it was opened in (the host's, for the daemon).
/// </summary>
public sealed unsafe class CtNetlink : IDisposable
{
    const int NETLINK_NETFILTER = 12;
    const ushort NFNL_SUBSYS_CTNETLINK = 1, IPCTNL_MSG_CT_NEW = 0, IPCTNL_MSG_CT_GET = 1, IPCTNL_MSG_CT_DELETE = 2;
    const ushort NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_DUMP = 0x300;
    const ushort NLMSG_ERROR = 2, NLMSG_DONE = 3;
    const ushort CTA_TUPLE_ORIG = 1, CTA_TUPLE_REPLY = 2, CTA_PROTOINFO = 4;
    const ushort CTA_TUPLE_IP = 1, CTA_TUPLE_PROTO = 2, CTA_IP_V4_SRC = 1, CTA_IP_V4_DST = 2;
    const ushort CTA_PROTO_NUM = 1, CTA_PROTO_SRC_PORT = 2, CTA_PROTO_DST_PORT = 3;
    const ushort CTA_PROTOINFO_TCP = 1, CTA_PROTOINFO_TCP_STATE = 1;
    const ushort NLA_F_NESTED = 0x8000;
    const byte AF_INET_ = 2;

    readonly SafeFd _fd;
    uint _seq;

    CtNetlink(SafeFd fd) => _fd = fd;

    public static CtNetlink Open() =>
        new(new SafeFd(Sys.Check(socket(16 /* AF_NETLINK */, 3 /* SOCK_RAW */ | Sys.O_CLOEXEC, NETLINK_NETFILTER), "socket(NETLINK_NETFILTER)")));

    /// <summary>Every IPv4 entry of the table.</summary>
    public IReadOnlyList<ConntrackEntry> List()
    {
        var msg = new NetlinkMessage((ushort)((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET), NLM_F_REQUEST | NLM_F_DUMP, ++_seq).Bytes(NfGenMsg()).Build();
        var result = new List<ConntrackEntry>();
        foreach (var body in Dump(msg))
            if (Parse(body) is { } entry) result.Add(entry);
        return result;
    }

    /// <summary>Removes one entry (by its original tuple); an entry already gone is not an error.</summary>
    public bool Delete(ConntrackEntry e)
    {
        var m = new NetlinkMessage((ushort)((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE), NLM_F_REQUEST | NLM_F_ACK, ++_seq).Bytes(NfGenMsg())
            .BeginNested((ushort)(CTA_TUPLE_ORIG | NLA_F_NESTED))
            .BeginNested((ushort)(CTA_TUPLE_IP | NLA_F_NESTED)).Attr(CTA_IP_V4_SRC, e.OrigSource.GetAddressBytes()).Attr(CTA_IP_V4_DST, e.OrigDestination.GetAddressBytes()).EndNested()
            .BeginNested((ushort)(CTA_TUPLE_PROTO | NLA_F_NESTED)).Attr(CTA_PROTO_NUM, [e.Protocol])
            .Attr(CTA_PROTO_SRC_PORT, BigEndian(e.OrigSourcePort)).Attr(CTA_PROTO_DST_PORT, BigEndian(e.OrigDestinationPort)).EndNested()
            .EndNested();
        var msg = m.Build();
        Send(msg);
        foreach (var (type, body, seq) in ReceiveOnce())
        {
            if (seq != _seq || type != NLMSG_ERROR) continue;
            var error = -BinaryPrimitives.ReadInt32LittleEndian(body.Span);
            if (error == 0) return true;
            if ((Errno)error == Errno.ENOENT) return false;
            throw new ErrnoException((Errno)error, "netlink: delete conntrack entry");
        }
        return false;
    }

    static byte[] BigEndian(ushort v) => [(byte)(v >> 8), (byte)v];

    /// <summary>struct nfgenmsg: family, version NFNETLINK_V0, resource id 0.</summary>
    static byte[] NfGenMsg() => [AF_INET_, 0, 0, 0];

    static ConntrackEntry? Parse(ReadOnlyMemory<byte> body)
    {
        if (body.Length < 4 || body.Span[0] != AF_INET_) return null;
        Tuple? orig = null, reply = null;
        byte? state = null;
        foreach (var (type, data) in NetlinkMessage.Attributes(body[4..]))
        {
            switch (type)
            {
                case CTA_TUPLE_ORIG: orig = ParseTuple(data); break;
                case CTA_TUPLE_REPLY: reply = ParseTuple(data); break;
                case CTA_PROTOINFO:
                    foreach (var (pt, pdata) in NetlinkMessage.Attributes(data))
                        if (pt == CTA_PROTOINFO_TCP)
                            foreach (var (tt, tdata) in NetlinkMessage.Attributes(pdata))
                                if (tt == CTA_PROTOINFO_TCP_STATE && tdata.Length >= 1) state = tdata.Span[0];
                    break;
            }
        }
        if (orig is not { } o || reply is not { } r) return null;
        return new ConntrackEntry(o.Protocol, o.Source, o.Destination, o.SourcePort, o.DestinationPort, r.Source, r.Destination, r.SourcePort, r.DestinationPort, state);
    }

    readonly record struct Tuple(byte Protocol, IPAddress Source, IPAddress Destination, ushort SourcePort, ushort DestinationPort);

    static Tuple? ParseTuple(ReadOnlyMemory<byte> data)
    {
        IPAddress? src = null, dst = null;
        byte proto = 0;
        ushort sport = 0, dport = 0;
        foreach (var (type, inner) in NetlinkMessage.Attributes(data))
        {
            if (type == CTA_TUPLE_IP)
            {
                foreach (var (it, ip) in NetlinkMessage.Attributes(inner))
                {
                    if (ip.Length != 4) continue;
                    if (it == CTA_IP_V4_SRC) src = new IPAddress(ip.Span);
                    else if (it == CTA_IP_V4_DST) dst = new IPAddress(ip.Span);
                }
            }
            else if (type == CTA_TUPLE_PROTO)
            {
                foreach (var (pt, p) in NetlinkMessage.Attributes(inner))
                {
                    if (pt == CTA_PROTO_NUM && p.Length >= 1) proto = p.Span[0];
                    else if (pt == CTA_PROTO_SRC_PORT && p.Length >= 2) sport = BinaryPrimitives.ReadUInt16BigEndian(p.Span);
                    else if (pt == CTA_PROTO_DST_PORT && p.Length >= 2) dport = BinaryPrimitives.ReadUInt16BigEndian(p.Span);
                }
            }
        }
        return src is null || dst is null ? null : new Tuple(proto, src, dst, sport, dport);
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

    IEnumerable<ReadOnlyMemory<byte>> Dump(byte[] msg)
    {
        Send(msg);
        var seq = BinaryPrimitives.ReadUInt32LittleEndian(msg.AsSpan(8));
        while (true)
        {
            foreach (var (type, body, msgSeq) in ReceiveOnce())
            {
                if (msgSeq != seq) continue;
                if (type == NLMSG_DONE) yield break;
                if (type == NLMSG_ERROR)
                {
                    var error = -BinaryPrimitives.ReadInt32LittleEndian(body.Span);
                    if (error != 0) throw new ErrnoException((Errno)error, "netlink: conntrack dump");
                    yield break;
                }
                if ((type & 0xff) == IPCTNL_MSG_CT_NEW) yield return body;
            }
        }
    }

    List<(ushort Type, ReadOnlyMemory<byte> Body, uint Seq)> ReceiveOnce()
    {
        // A dump answers in batches of at most a page-sized buffer each; 64 KiB holds any batch.
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
