using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace GitOps.Runtime.Networking;

/// <summary>The part of RFC 1035 an embedded resolver needs: read the question, answer A records.</summary>
public static class DnsMessage
{
    public const ushort TypeA = 1, TypeAaaa = 28, TypeAny = 255;
    public const int NoError = 0, ServFail = 2, NxDomain = 3;

    public readonly record struct Question(ushort Id, bool RecursionDesired, string Name, ushort Type, ushort Class, int QuestionEnd);

    public static bool TryParseQuestion(ReadOnlySpan<byte> msg, out Question q)
    {
        q = default;
        if (msg.Length < 12) return false;
        var id = BinaryPrimitives.ReadUInt16BigEndian(msg);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(msg[2..]);
        if ((flags & 0x8000) != 0) return false; // a response, not a query
        if (BinaryPrimitives.ReadUInt16BigEndian(msg[4..]) < 1) return false;
        var off = 12;
        var name = new StringBuilder();
        while (true)
        {
            if (off >= msg.Length) return false;
            var len = msg[off++];
            if (len == 0) break;
            if ((len & 0xC0) != 0 || off + len > msg.Length || name.Length > 255) return false; // no compression in questions
            if (name.Length > 0) name.Append('.');
            name.Append(Encoding.ASCII.GetString(msg.Slice(off, len)));
            off += len;
        }
        if (off + 4 > msg.Length) return false;
        q = new Question(id, (flags & 0x0100) != 0, name.ToString().ToLowerInvariant(),
            BinaryPrimitives.ReadUInt16BigEndian(msg[off..]), BinaryPrimitives.ReadUInt16BigEndian(msg[(off + 2)..]), off + 4);
        return true;
    }

    /// <summary>An authoritative answer with the given IPv4 addresses (none: an empty NOERROR or NXDOMAIN).</summary>
    public static byte[] Answer(ReadOnlySpan<byte> query, Question q, IReadOnlyList<IPAddress> addresses, int rcode = NoError, uint ttl = 600)
    {
        var question = query[12..q.QuestionEnd];
        var buf = new byte[12 + question.Length + addresses.Count * 16];
        BinaryPrimitives.WriteUInt16BigEndian(buf, q.Id);
        var flags = 0x8000 | 0x0400 | 0x0080 | (q.RecursionDesired ? 0x0100 : 0) | rcode; // QR, AA, RA
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), (ushort)flags);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(6), (ushort)addresses.Count);
        question.CopyTo(buf.AsSpan(12));
        var off = 12 + question.Length;
        foreach (var a in addresses)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(off), 0xC00C); // the name: a pointer to the question's
            BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(off + 2), TypeA);
            BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(off + 4), 1);  // IN
            BinaryPrimitives.WriteUInt32BigEndian(buf.AsSpan(off + 6), ttl);
            BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(off + 10), 4);
            a.GetAddressBytes().CopyTo(buf, off + 12);
            off += 16;
        }
        return buf;
    }

    public static byte[] Failure(ReadOnlySpan<byte> query, Question q, int rcode) => Answer(query, q, [], rcode);
}
