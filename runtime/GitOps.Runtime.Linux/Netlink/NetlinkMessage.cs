using System.Buffers.Binary;

namespace GitOps.Runtime.Linux.Netlink;

/// <summary>Builds one netlink message: header, a fixed struct, then rtattr attributes (nested ones too).</summary>
internal sealed class NetlinkMessage
{
    readonly List<byte> _b = new(256);
    readonly Stack<int> _nests = new();

    public NetlinkMessage(ushort type, ushort flags, uint seq)
    {
        Put32(0); // length, patched in Build
        Put16(type);
        Put16(flags);
        Put32(seq);
        Put32(0); // port id: the kernel fills in ours
    }

    public NetlinkMessage Bytes(ReadOnlySpan<byte> data)
    {
        foreach (var x in data) _b.Add(x);
        Align();
        return this;
    }

    public NetlinkMessage Attr(ushort type, ReadOnlySpan<byte> data)
    {
        Put16((ushort)(4 + data.Length));
        Put16(type);
        foreach (var x in data) _b.Add(x);
        Align();
        return this;
    }

    public NetlinkMessage Attr(ushort type, string value)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(value + "\0");
        return Attr(type, bytes);
    }

    public NetlinkMessage Attr(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Attr(type, b);
    }

    public NetlinkMessage BeginNested(ushort type)
    {
        _nests.Push(_b.Count);
        Put16(0);
        Put16(type);
        return this;
    }

    public NetlinkMessage EndNested()
    {
        var start = _nests.Pop();
        var len = (ushort)(_b.Count - start);
        _b[start] = (byte)len;
        _b[start + 1] = (byte)(len >> 8);
        return this;
    }

    public byte[] Build()
    {
        var arr = _b.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(arr, (uint)arr.Length);
        return arr;
    }

    void Put16(ushort v) { _b.Add((byte)v); _b.Add((byte)(v >> 8)); }
    void Put32(uint v) { Put16((ushort)v); Put16((ushort)(v >> 16)); }
    void Align() { while (_b.Count % 4 != 0) _b.Add(0); }

    /// <summary>Walks the rtattrs of a received message body.</summary>
    public static IEnumerable<(ushort Type, ReadOnlyMemory<byte> Data)> Attributes(ReadOnlyMemory<byte> body)
    {
        var off = 0;
        while (off + 4 <= body.Length)
        {
            var span = body.Span;
            var len = BinaryPrimitives.ReadUInt16LittleEndian(span[off..]);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span[(off + 2)..]) & 0x3fff);
            if (len < 4 || off + len > body.Length) yield break;
            yield return (type, body.Slice(off + 4, len - 4));
            off += (len + 3) & ~3;
        }
    }
}
