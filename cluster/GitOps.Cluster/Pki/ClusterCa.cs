using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GitOps.Cluster.Pki;

/// <summary>
/// The cluster's certificate authority: an ECDSA P-256 key and a self-signed certificate, made with
/// System.Security.Cryptography. It signs every node certificate (CN = node id, which etcd maps to the
/// user of that name). Only managers hold the key.
/// </summary>
internal sealed class ClusterCa : IDisposable
{
    static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    static readonly TimeSpan NodeLifetime = TimeSpan.FromDays(825);
    const string ServerAuth = "1.3.6.1.5.5.7.3.1", ClientAuth = "1.3.6.1.5.5.7.3.2";

    ClusterCa(X509Certificate2 certificate, ECDsa? key)
    {
        Certificate = certificate;
        Key = key;
    }

    public X509Certificate2 Certificate { get; }
    /// <summary>Null on workers: they trust the CA, they cannot sign.</summary>
    public ECDsa? Key { get; }

    /// <summary>SHA-256 of the CA certificate (DER): what a join token pins.</summary>
    public string Digest => DigestOf(Certificate);

    public static string DigestOf(X509Certificate2 certificate) =>
        Base32.Encode(SHA256.HashData(certificate.RawData));

    public static ClusterCa Create(string clusterId)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=gitops cluster {clusterId} CA, O=gitops", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var cert = request.CreateSelfSigned(now, now + CaLifetime);
        return new ClusterCa(X509CertificateLoader.LoadCertificate(cert.RawData), key);
    }

    public static ClusterCa Load(string certificatePem, string? keyPem)
    {
        var cert = X509Certificate2.CreateFromPem(certificatePem);
        if (keyPem is null) return new ClusterCa(cert, null);
        var key = ECDsa.Create();
        key.ImportFromPem(keyPem);
        return new ClusterCa(cert, key);
    }

    public string CertificatePem => Certificate.ExportCertificatePem();

    public string KeyPem => (Key ?? throw new InvalidOperationException("this node does not hold the cluster CA key")).ExportPkcs8PrivateKeyPem();

    /// <summary>
    /// Signs a node's certificate for the public key of its CSR. The subject is ours, never the
    /// requester's: CN = node id, SANs = the node's address and name (and loopback for a manager, whose
    /// own daemon reaches its etcd member there). Managers get serverAuth too (etcd, peer, join).
    /// </summary>
    public X509Certificate2 Issue(CertificateRequest csr, string nodeId, string nodeName, IPAddress address, bool manager)
    {
        if (Key is null) throw new InvalidOperationException("this node does not hold the cluster CA key");
        var request = new CertificateRequest(new X500DistinguishedName($"CN={nodeId}, O=gitops"), csr.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        var usages = new OidCollection { new Oid(ClientAuth) };
        if (manager) usages.Add(new Oid(ServerAuth));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(address);
        if (manager) san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName(nodeName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = now + NodeLifetime < Certificate.NotAfter ? now + NodeLifetime : Certificate.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signer = Certificate.CopyWithPrivateKey(Key);
        return request.Create(signer, now, notAfter, serial);
    }

    /// <summary>Whether a peer's certificate was issued by this CA (and has the usage asked for).</summary>
    public bool Validates(X509Certificate2 certificate, bool requireServerAuth)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(requireServerAuth ? ServerAuth : ClientAuth));
        return chain.Build(certificate);
    }

    /// <summary>The node id a certificate was issued to (its CN).</summary>
    public static string NodeIdOf(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, false);

    public void Dispose()
    {
        Key?.Dispose();
        Certificate.Dispose();
    }
}
