using System.Security.Cryptography;
using System.Text;

namespace GitOps.Reconciler.Model;

/// <summary>
/// A secret's value. The model never exposes it as text: <see cref="ToString"/>, rendering, hashing and
/// equality only ever see <see cref="Digest"/>, a SHA-256 over a domain-separated form of the bytes, so two
/// commits with the same secret compare equal and a changed secret changes the hash without showing either
/// value. A value read back from rendered output has a digest but no bytes (<see cref="HasValue"/> false).
/// </summary>
internal sealed class SecretValue : IEquatable<SecretValue>
{
    private const string DigestPrefix = "sha256:";

    // Domain separation: the digest of a secret is never the plain SHA-256 of the value someone may have
    // computed elsewhere (still no substitute for keeping secrets out of Git: weak values can be guessed).
    private static readonly byte[] Domain = "gitops secret value v1\0"u8.ToArray();

    private readonly byte[]? _bytes;

    private SecretValue(byte[]? bytes, string digest)
    {
        _bytes = bytes;
        Digest = digest;
    }

    public string Digest { get; }

    public bool HasValue => _bytes is not null;

    public int Length => _bytes?.Length ?? 0;

    public static SecretValue FromBytes(byte[] bytes)
    {
        var buffer = new byte[Domain.Length + bytes.Length];
        Domain.CopyTo(buffer, 0);
        bytes.CopyTo(buffer, Domain.Length);
        var digest = DigestPrefix + Convert.ToHexStringLower(SHA256.HashData(buffer));
        CryptographicOperations.ZeroMemory(buffer);
        return new SecretValue((byte[])bytes.Clone(), digest);
    }

    public static SecretValue FromString(string value) => FromBytes(Encoding.UTF8.GetBytes(value));

    /// <summary>A value known only by its digest (read back from a rendered desired state).</summary>
    public static SecretValue? FromDigest(string digest) =>
        digest.StartsWith(DigestPrefix, StringComparison.Ordinal) && digest.Length == DigestPrefix.Length + 64 &&
        digest.AsSpan(DigestPrefix.Length).ContainsAnyExcept("0123456789abcdef") == false
            ? new SecretValue(null, digest)
            : null;

    /// <summary>The bytes, for the engine that writes them to a container's tmpfs. Nothing else should call this.</summary>
    public ReadOnlySpan<byte> Reveal() => _bytes ?? throw new InvalidOperationException("this secret value is known only by its digest");

    public bool Equals(SecretValue? other) => other is not null && string.Equals(Digest, other.Digest, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as SecretValue);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Digest);

    public override string ToString() => "***";
}
