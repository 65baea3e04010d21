using System.Net;
using System.Text;
using GitOps.Runtime.Images;
using GitOps.Runtime.Images.Registry;

namespace GitOps.Runtime.Tests.Images;

public sealed class RegistryClientTests
{
    [Fact]
    public void A_bearer_challenge_is_parsed_with_its_quoted_parameters()
    {
        var c = AuthChallenge.Parse("Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull\"")!;
        Assert.True(c.IsBearer);
        Assert.Equal("https://auth.example/token", c.Realm);
        Assert.Equal("registry.example", c.Service);
        Assert.Equal("repository:a/b:pull", c.Scope);
        Assert.True(AuthChallenge.Parse("Basic realm=\"Registry Realm\"")!.IsBasic);
    }

    /// <summary>
    /// The token flow against a registry that wants one: 401 with a Bearer challenge, a token fetched
    /// from the realm with the stored credentials and the repository's scope, then the request again with it.
    /// </summary>
    [Fact]
    public async Task A_bearer_registry_gets_a_token_for_the_scope_and_the_manifest_with_it()
    {
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:" + new string('a', 64) + "\",\"size\":1},\"layers\":[]}");
        var seen = new List<string>();
        var handler = new FakeHandler(req =>
        {
            seen.Add($"{req.Method} {req.RequestUri} {req.Headers.Authorization}");
            if (req.RequestUri!.Host == "auth.example")
            {
                var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("me:pw"));
                if (req.Headers.Authorization?.Parameter != basic) return new HttpResponseMessage(HttpStatusCode.Unauthorized);
                Assert.Contains("scope=repository%3Ateam%2Fapp%3Apull", req.RequestUri.Query);
                Assert.Contains("service=reg.example", req.RequestUri.Query);
                return Json("{\"token\":\"T0K3N\"}");
            }
            if (req.Headers.Authorization?.ToString() != "Bearer T0K3N")
            {
                var r = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                r.Headers.Add("WWW-Authenticate", "Bearer realm=\"https://auth.example/token\",service=\"reg.example\",scope=\"repository:team/app:pull\"");
                return r;
            }
            var ok = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(manifest) };
            ok.Content.Headers.ContentType = new("application/vnd.oci.image.manifest.v1+json");
            return ok;
        });
        var options = new RegistryOptions { HandlerFactory = _ => handler };
        using var client = new RegistryClient("reg.example", options, new Credential("me", "pw"));
        var fetched = await client.GetManifestAsync("team/app", "v1", CancellationToken.None);
        Assert.Equal(Digest.Sha256(manifest), fetched.Digest);
        Assert.Equal(MediaTypes.OciManifest, fetched.MediaType);
        Assert.Equal(3, seen.Count);
        Assert.StartsWith("GET https://reg.example/v2/team/app/manifests/v1 ", seen[0]);
        Assert.EndsWith("Bearer T0K3N", seen[2]);

        // The token is kept for the scope: the next request goes straight through.
        await client.GetManifestAsync("team/app", "v1", CancellationToken.None);
        Assert.Equal(4, seen.Count);
    }

    [Fact]
    public async Task A_manifest_that_does_not_hash_to_its_digest_is_refused()
    {
        var handler = new FakeHandler(_ => Json("{\"schemaVersion\":2}"));
        using var client = new RegistryClient("127.0.0.1:5000", new RegistryOptions { HandlerFactory = _ => handler }, null);
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => client.GetManifestAsync("a", "sha256:" + new string('b', 64), CancellationToken.None));
        Assert.Contains("manifest verification failed", e.Message);
    }

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("registry.example", false)]
    [InlineData("10.1.2.3:5000", true)]   // by CIDR
    [InlineData("my.registry:443", true)] // by name
    public void Loopback_and_configured_registries_are_insecure(string domain, bool insecure) =>
        Assert.Equal(insecure, new RegistryOptions { InsecureRegistries = ["10.0.0.0/8", "my.registry:443"] }.IsInsecure(domain));

    [Theory]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("registry-1.docker.io", "docker.io")]
    [InlineData("http://127.0.0.1:5000/", "127.0.0.1:5000")]
    public void Credentials_are_keyed_by_one_spelling_of_the_registry(string given, string key) => Assert.Equal(key, CredentialStore.Key(given));

    static HttpResponseMessage Json(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    sealed class FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) => Task.FromResult(answer(request));
    }
}
