using System.Security.Cryptography;

namespace GitOps.Runtime.Images;

/// <summary>A content digest, "sha256:" plus 64 lowercase hex characters.</summary>
public readonly record struct Digest(string Algorithm, string Hex)
{
    public override string ToString() => $"{Algorithm}:{Hex}";

    public string Short => Hex[..12];

    public static Digest Sha256(ReadOnlySpan<byte> data) => new("sha256", Convert.ToHexStringLower(SHA256.HashData(data)));

    public static Digest FromHash(IncrementalHash hash) => new("sha256", Convert.ToHexStringLower(hash.GetHashAndReset()));

    public static bool TryParse(string s, out Digest digest)
    {
        digest = default;
        var i = s.IndexOf(':');
        if (i <= 0) return false;
        var alg = s[..i]; var hex = s[(i + 1)..];
        if (alg != "sha256" || hex.Length != 64 || !hex.All(char.IsAsciiHexDigitLower)) return false;
        digest = new Digest(alg, hex);
        return true;
    }

    public static Digest Parse(string s) =>
        TryParse(s, out var d) ? d : throw new InvalidArgumentException($"invalid digest \"{s}\": expected sha256: followed by 64 lowercase hex characters");
}
