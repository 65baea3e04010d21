using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GitOps.Cluster.Pki;

/// <summary>A node's own key: made on the node, never sent anywhere; only its CSR travels.</summary>
internal static class NodeKeyPair
{
    public static ECDsa Create() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static string SigningRequestPem(ECDsa key, string nodeName)
    {
        var request = new CertificateRequest($"CN={nodeName}", key, HashAlgorithmName.SHA256);
        return request.CreateSigningRequestPem();
    }

    /// <summary>Reads a CSR and checks its self-signature (proof the requester holds the key).</summary>
    public static CertificateRequest ParseSigningRequest(string pem) =>
        CertificateRequest.LoadSigningRequestPem(pem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);

    /// <summary>A certificate with its private key, usable for TLS (client or server).</summary>
    public static X509Certificate2 WithKey(string certificatePem, string keyPem)
    {
        using var cert = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        // An ephemeral key from PEM cannot always be used by SslStream; a PKCS#12 round trip makes it a real one.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }
}
