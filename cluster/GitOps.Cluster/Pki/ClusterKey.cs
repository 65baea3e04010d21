using System.Security.Cryptography;
using System.Text;

namespace GitOps.Cluster.Pki;

/// <summary>
/// The cluster's 256-bit data key: secrets in the store are AES-256-GCM-encrypted with it, so etcd's
/// files and snapshots hold no plaintext. Every node receives it at join (over the join TLS channel) and
/// keeps it in ROOT/cluster/cluster.key (0600); what a node may read is limited by etcd's RBAC.
/// </summary>
internal sealed class ClusterKey
{
    public const int Size = 32;
    const int NonceSize = 12, TagSize = 16;
    const string CheckText = "gitops cluster key check v1";
    readonly byte[] _key;

    public ClusterKey(byte[] key)
    {
        if (key.Length != Size) throw new ArgumentException($"a cluster key has {Size} bytes, not {key.Length}");
        _key = key;
    }

    public static ClusterKey Create() => new(RandomNumberGenerator.GetBytes(Size));

    public ReadOnlySpan<byte> Bytes => _key;

    /// <summary>nonce ‖ ciphertext ‖ tag; <paramref name="context"/> (the key it is stored under) is authenticated, not stored.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, string context)
    {
        var result = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = result.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, result.AsSpan(NonceSize, plaintext.Length), result.AsSpan(NonceSize + plaintext.Length), Encoding.UTF8.GetBytes(context));
        return result;
    }

    public byte[] Open(ReadOnlySpan<byte> sealedData, string context)
    {
        if (sealedData.Length < NonceSize + TagSize) throw new InvalidDataException("sealed value is truncated");
        var length = sealedData.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(sealedData[..NonceSize], sealedData.Slice(NonceSize, length), sealedData[(NonceSize + length)..], plaintext, Encoding.UTF8.GetBytes(context));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidDataException("cannot decrypt: the cluster key does not match or the stored value was altered");
        }
        return plaintext;
    }

    /// <summary>What cluster/key-check holds: proof, without revealing the key, that a node holds the same key.</summary>
    public byte[] MakeCheck() => Seal(Encoding.UTF8.GetBytes(CheckText), "key-check");

    public bool Verifies(byte[] check)
    {
        try { return Encoding.UTF8.GetString(Open(check, "key-check")) == CheckText; }
        catch (InvalidDataException) { return false; }
    }
}
