using System.Security.Cryptography;
using System.Text;

namespace GitOps.Cluster.Pki;

/// <summary>
/// A join token, as Swarm's: GITOPS1-&lt;SHA-256 of the cluster CA, base32&gt;-&lt;role secret&gt;. The digest
/// lets a joining node check it talks to the right cluster before it sends anything; the secret says
/// which role it joins as. The store keeps only the secret's SHA-256; rotating replaces it.
/// </summary>
internal sealed record JoinToken(string CaDigest, string Secret)
{
    const string Prefix = "GITOPS1-";
    const int DigestChars = 52, SecretChars = 32;

    public static JoinToken Create(string caDigest) => new(caDigest, Base32.Encode(RandomNumberGenerator.GetBytes(20)));

    public override string ToString() => Prefix + CaDigest + "-" + Secret;

    public string SecretHash => HashOf(Secret);

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Constant time, so a wrong guess learns nothing from how long the answer took.</summary>
    public static bool SecretMatches(string secret, string expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashOf(secret)), Encoding.ASCII.GetBytes(expectedHash));

    public static bool TryParse(string text, out JoinToken token, out string error)
    {
        token = null!;
        text = text.Trim();
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"invalid join token: expected GITOPS1-…, as printed by gitops cluster join-token";
            return false;
        }
        var parts = text[Prefix.Length..].Split('-');
        if (parts.Length != 2 || parts[0].Length != DigestChars || parts[1].Length != SecretChars
            || !Base32.TryDecode(parts[0], out _) || !Base32.TryDecode(parts[1], out _))
        {
            error = "invalid join token: it is damaged or truncated (expected GITOPS1-<52 characters>-<32 characters>)";
            return false;
        }
        token = new JoinToken(parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant());
        error = "";
        return true;
    }
}
