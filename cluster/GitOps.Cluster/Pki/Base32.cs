namespace GitOps.Cluster.Pki;

/// <summary>RFC 4648 base32, lower case, no padding: tokens and ids that survive a shell and a terminal.</summary>
internal static class Base32
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, n = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0) chars[n++] = Alphabet[(buffer << (5 - bits)) & 31];
        return new string(chars, 0, n);
    }

    public static bool TryDecode(string text, out byte[] data)
    {
        var result = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            var v = Alphabet.IndexOf(char.ToLowerInvariant(c));
            if (v < 0) { data = []; return false; }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                result.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        data = [.. result];
        return true;
    }
}
