using System.Security.Cryptography;
using System.Text;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Secrets;

/// <summary>
/// The node's 256-bit key (ROOT/secrets/node.key, mode 0600, created on first use): it encrypts
/// secrets at rest with AES-256-GCM and keys the content hashes. Whoever can read the key can read
/// the secrets, as with Docker's unlocked swarm; the key never leaves this file and this process.
/// </summary>
internal sealed class NodeKey
{
    const int KeySize = 32, NonceSize = 12, TagSize = 16;
    readonly byte[] _key;

    NodeKey(byte[] key) => _key = key;

    public static NodeKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            // Written whole or not at all (temporary file, fsync, link): a full disk leaves no key rather than an
            // empty one, and the next attempt, with space again, makes it. A key is used only once it is durable.
            var fresh = RandomNumberGenerator.GetBytes(KeySize);
            if (State.AtomicFile.CreateNew(path, fresh)) return new NodeKey(fresh);
        }
        var st = Sys.Lstat(path);
        if (!st.IsRegular) throw new InvalidOperationException($"{path} is not a regular file");
        if ((st.Permissions & 0x3F) != 0)
        {
            // Group or others could read it: close that before using it, and say so.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Console.Error.WriteLine($"{path} was readable by others: mode reset to 0600");
        }
        var key = File.ReadAllBytes(path);
        if (key.Length == 0)
        {
            // Left by an earlier version that created the file before writing it, on a full disk: no secret can
            // have been sealed with a key that never reached the file, so a new one replaces it (the empty file is
            // kept aside, as evidence, never deleted).
            var aside = $"{path}.empty-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
            File.Move(path, aside);
            Console.Error.WriteLine($"{path} was empty (a write interrupted by a full disk): moved to {aside}, a new key is made");
            return LoadOrCreate(path);
        }
        if (key.Length != KeySize) throw new InvalidOperationException($"{path}: a node key has {KeySize} bytes, this file has {key.Length}");
        return new NodeKey(key);
    }

    /// <summary>nonce ‖ ciphertext ‖ tag; <paramref name="context"/> (kind, ID, version) is authenticated, not stored.</summary>
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
        if (sealedData.Length < NonceSize + TagSize) throw new InvalidDataException("sealed secret is truncated");
        var length = sealedData.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(sealedData[..NonceSize], sealedData.Slice(NonceSize, length), sealedData[(NonceSize + length)..], plaintext, Encoding.UTF8.GetBytes(context));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidDataException("cannot decrypt: the node key does not match or the stored secret was altered");
        }
        return plaintext;
    }

    public string Hash(ReadOnlySpan<byte> content) => "hmac-sha256:" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, content));
}
