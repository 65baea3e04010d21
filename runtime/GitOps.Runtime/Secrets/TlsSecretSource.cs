using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using GitOps.Runtime.Networking.Http;

namespace GitOps.Runtime.Secrets;

/// <summary>
/// Certificates for http routers from the secret store: a Kubernetes TLS secret (tls.crt and tls.key)
/// or a single-value secret holding the certificate chain and the key as PEM. The decrypted bytes are
/// wiped once the certificate is built; the key lives only in the certificate object in memory.
/// </summary>
internal sealed class TlsSecretSource(SecretStore store) : ITlsSecretSource
{
    public string? Version(string secret) => store.Find(SecretKind.Secret, secret) is { } r ? $"{r.Id}/{r.Version}" : null;

    public X509Certificate2 Load(string secret)
    {
        var record = store.Get(SecretKind.Secret, secret);
        var content = store.Reveal(record);
        byte[]? cert = null, key = null;
        try
        {
            if (content.Items is { } items)
            {
                cert = items.GetValueOrDefault("tls.crt") ?? throw new InvalidDataException($"secret {secret} has no tls.crt");
                key = items.GetValueOrDefault("tls.key") ?? throw new InvalidDataException($"secret {secret} has no tls.key");
                return X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(cert), Encoding.ASCII.GetString(key));
            }
            var pem = Encoding.ASCII.GetString(content.Value!);
            // One PEM with both: the certificate(s) first or last, the key anywhere.
            return X509Certificate2.CreateFromPem(pem, pem);
        }
        finally
        {
            foreach (var b in new[] { cert, key, content.Value }) if (b is not null) CryptographicOperations.ZeroMemory(b);
            if (content.Items is { } all) foreach (var v in all.Values) CryptographicOperations.ZeroMemory(v);
        }
    }
}
