using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace GitOps.Cluster.Etcd;

/// <summary>
/// How this node proves itself to etcd (its client certificate: etcd maps the CN to the user) and whom it
/// trusts as etcd (certificates chaining to the given CA, with serverAuth). No system trust store: a
/// cluster trusts its own CA only.
/// </summary>
internal sealed class EtcdCredentials(X509Certificate2 clientCertificate, X509Certificate2 trustedCa) : IDisposable
{
    public X509Certificate2 ClientCertificate { get; } = clientCertificate;
    public X509Certificate2 TrustedCa { get; } = trustedCa;

    public static EtcdCredentials FromFiles(string caFile, string certFile, string keyFile) =>
        new(Pki.NodeKeyPair.WithKey(File.ReadAllText(certFile), File.ReadAllText(keyFile)), X509Certificate2.CreateFromPem(File.ReadAllText(caFile)));

    public void Configure(SslClientAuthenticationOptions ssl)
    {
        ssl.ClientCertificates = [ClientCertificate];
        ssl.ApplicationProtocols = [SslApplicationProtocol.Http2];
        // The name check is replaced by the chain check: members are reached by IP through a static
        // resolver, and any certificate our CA issued with serverAuth is an etcd member of this cluster.
        ssl.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ChainsToCa(certificate);
    }

    public bool ChainsToCa(X509Certificate certificate)
    {
        using var cert = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(TrustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        return chain.Build(cert);
    }

    public void Dispose()
    {
        ClientCertificate.Dispose();
        TrustedCa.Dispose();
    }
}
