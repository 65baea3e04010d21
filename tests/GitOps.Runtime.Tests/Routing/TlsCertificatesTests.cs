using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GitOps.Runtime.Networking.Http;

namespace GitOps.Runtime.Tests.Routing;

/// <summary>Certificate choice per TLS handshake (SNI) and reload when the secret's version changes.</summary>
public sealed class TlsCertificatesTests
{
    sealed class FakeSource : ITlsSecretSource
    {
        public Dictionary<string, (string Version, string Cn)> Secrets { get; } = [];
        public int Loads { get; private set; }
        public string? Version(string secret) => Secrets.TryGetValue(secret, out var s) ? s.Version : null;

        public X509Certificate2 Load(string secret)
        {
            Loads++;
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var req = new CertificateRequest("CN=" + Secrets[secret].Cn, key, HashAlgorithmName.SHA256);
            return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        }
    }

    static string Cn(X509Certificate2? c) => c?.GetNameInfo(X509NameType.SimpleName, false) ?? "(none)";

    [Fact]
    public void The_host_named_exactly_then_a_wildcard_then_the_default_certificate()
    {
        var source = new FakeSource();
        source.Secrets["shop"] = ("1", "shop");
        source.Secrets["wild"] = ("1", "wild");
        source.Secrets["default"] = ("1", "default");
        using var certs = new TlsCertificates(() => source);
        certs.Update([
            new TlsBinding { Secret = "wild", Hosts = ["*.example"] },
            new TlsBinding { Secret = "shop", Hosts = ["shop.example"] },
            new TlsBinding { Secret = "default" },
        ]);
        Assert.Equal("shop", Cn(certs.Select("SHOP.example.")));
        Assert.Equal("wild", Cn(certs.Select("cart.example")));
        Assert.Equal("default", Cn(certs.Select("a.cart.example")));
        Assert.Equal("default", Cn(certs.Select(null)));
    }

    [Fact]
    public void A_certificate_is_loaded_once_per_secret_version_and_a_missing_secret_gives_none()
    {
        var source = new FakeSource();
        source.Secrets["s"] = ("1", "first");
        using var certs = new TlsCertificates(() => source);
        certs.Update([new TlsBinding { Secret = "s" }]);
        Assert.Equal("first", Cn(certs.Select("a")));
        Assert.Equal("first", Cn(certs.Select("b")));
        Assert.Equal(1, source.Loads);

        source.Secrets["s"] = ("2", "renewed");
        Assert.Equal("renewed", Cn(certs.Select("a")));
        Assert.Equal(2, source.Loads);

        source.Secrets.Clear();
        Assert.Null(certs.Select("a"));
        using var none = new TlsCertificates(() => null);
        none.Update([new TlsBinding { Secret = "s" }]);
        Assert.Null(none.Select("a"));
    }
}
