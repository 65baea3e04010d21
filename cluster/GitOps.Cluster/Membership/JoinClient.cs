using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using GitOps.Cluster.Pki;

namespace GitOps.Cluster.Membership;

/// <summary>
/// The joining node's side of the join endpoint (HTTPS on the manager's port 2377). Nothing is sent before
/// the manager proved it belongs to the token's cluster: the CA it serves must have the token's digest,
/// and its TLS certificate must chain to that CA (with serverAuth).
/// </summary>
internal sealed class JoinClient : IDisposable
{
    readonly HttpClient _http;
    X509Certificate2? _trusted;
    X509Certificate2? _seen;

    public JoinClient(IPEndPoint manager, X509Certificate2? clientCertificate = null, X509Certificate2? trustedCa = null)
    {
        _trusted = trustedCa;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    if (cert is null) return false;
                    _seen = new X509Certificate2(cert);
                    // Until the CA is pinned (by the token's digest) the certificate is only remembered;
                    // it is checked against the pinned CA before anything but GET /ca is sent.
                    return _trusted is null || Chains(_seen, _trusted);
                },
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri($"https://{manager}/"), Timeout = TimeSpan.FromSeconds(120) };
        Manager = manager;
    }

    public IPEndPoint Manager { get; }

    /// <summary>Fetches the manager's CA and pins it if its digest is the token's; throws otherwise.</summary>
    public async Task<string> PinCaAsync(string expectedDigest, CancellationToken ct)
    {
        string pem;
        try { pem = await _http.GetStringAsync("ca", ct); }
        catch (HttpRequestException e) { throw Unreachable(e); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested) { throw new ClusterException($"cannot reach a manager at {Manager}: timed out", 502); }
        var ca = X509Certificate2.CreateFromPem(pem);
        if (ClusterCa.DigestOf(ca) != expectedDigest)
            throw new ClusterException($"the manager at {Manager} belongs to another cluster than this join token (its CA digest differs): check the token and the address", 403);
        if (_seen is null || !Chains(_seen, ca))
            throw new ClusterException($"the manager at {Manager} presented a certificate its cluster CA did not issue", 403);
        _trusted = ca;
        return pem;
    }

    public Task<JoinResponse> JoinAsync(JoinRequest request, CancellationToken ct) =>
        PostAsync("join", JsonContent.Create(request, StoreJson.Default.JoinRequest), ct);

    public Task<JoinResponse> PromoteAsync(CancellationToken ct) => PostAsync("promote", null, ct);

    async Task<JoinResponse> PostAsync(string path, HttpContent? body, CancellationToken ct)
    {
        if (_trusted is null) throw new InvalidOperationException("the cluster CA is not pinned");
        HttpResponseMessage response;
        try { response = await _http.PostAsync(path, body, ct); }
        catch (HttpRequestException e) { throw Unreachable(e); }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                JoinError? error = null;
                try { error = await response.Content.ReadFromJsonAsync(StoreJson.Default.JoinError, ct); }
                catch (JsonException) { }
                throw new ClusterException(error?.Message ?? $"the manager at {Manager} answered {(int)response.StatusCode} {response.ReasonPhrase}", (int)response.StatusCode);
            }
            return await response.Content.ReadFromJsonAsync(StoreJson.Default.JoinResponse, ct)
                ?? throw new ClusterException($"the manager at {Manager} sent an empty answer", 502);
        }
    }

    ClusterException Unreachable(HttpRequestException e) =>
        new($"cannot reach a manager at {Manager}: {(e.InnerException ?? e).Message}", 502);

    static bool Chains(X509Certificate2 cert, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        return chain.Build(cert);
    }

    public void Dispose() => _http.Dispose();
}
