using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;
using System.Text.Json;

namespace GitOps.Runtime.Images.Registry;

/// <summary>A manifest (or index) as the registry sent it: its bytes are kept, since its digest is their hash.</summary>
public sealed record FetchedManifest(byte[] Bytes, string MediaType, Digest Digest);

/// <summary>
/// The OCI distribution protocol against one registry, for one operation: ping, manifests, blobs,
/// uploads and cross-repository mounts, with the two auth schemes registries use. A 401 carries a
/// challenge: Basic means "send the stored credentials"; Bearer names a token service
/// (realm, service) from which a token for the scope is fetched (with the credentials, or
/// anonymously) and then sent with each request. Tokens are cached per scope for the operation.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    static readonly string[] ManifestAccept =
    [
        MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest,
    ];

    readonly HttpClient _http;
    readonly string _domain;
    readonly bool _insecure;
    readonly Credential? _credential;
    readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _authGate = new(1, 1);
    string? _scheme;
    bool _basic;

    public RegistryClient(string domain, RegistryOptions options, Credential? credential)
    {
        _domain = domain;
        _insecure = options.IsInsecure(domain);
        _credential = credential;
        var handler = options.HandlerFactory?.Invoke(_insecure) ?? NewHandler(_insecure);
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("gitops", "0.1"));
    }

    static SocketsHttpHandler NewHandler(bool insecure)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 16,
        };
        // An insecure registry may serve HTTPS with a certificate nobody signed.
        if (insecure) handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        return handler;
    }

    public string Domain => _domain;

    /// <summary>
    /// GET /v2/: picks the scheme (HTTPS; plain HTTP only for insecure registries, as a fallback when
    /// HTTPS does not answer) and, when <paramref name="authenticate"/>, proves the credentials.
    /// </summary>
    public async Task PingAsync(bool authenticate, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "/v2/"), authenticate ? "" : null, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw new RegistryException($"login to {_domain} failed: {await ErrorText(response, ct).ConfigureAwait(false)}", EngineErrorKind.Unauthorized);
        if (!response.IsSuccessStatusCode)
            throw new RegistryException($"{_domain} does not answer as a registry: {(int)response.StatusCode} {response.ReasonPhrase}", EngineErrorKind.Upstream);
    }

    async Task<string> BaseAsync(CancellationToken ct)
    {
        if (_scheme is not null) return _scheme;
        var host = RegistryOptions.Endpoint(_domain);
        if (!_insecure) return _scheme = "https://" + host;
        try
        {
            using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, probe.Token);
            using var r = await _http.GetAsync($"https://{host}/v2/", HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            return _scheme = "https://" + host;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return _scheme = "http://" + host;
        }
    }

    /// <summary>The scope of a repository for the token service: "repository:library/busybox:pull".</summary>
    public static string Scope(string repository, bool push) => $"repository:{repository}:{(push ? "pull,push" : "pull")}";

    /// <summary>Sends with auth, answering one 401 challenge; <paramref name="scope"/> null means anonymous.</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, string? scope, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseHeadersRead)
    {
        var baseUri = await BaseAsync(ct).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var request = make();
            if (!request.RequestUri!.IsAbsoluteUri) request.RequestUri = new Uri(baseUri + request.RequestUri.OriginalString);
            if (scope is not null) Authorize(request, scope);
            HttpResponseMessage response;
            try { response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false); }
            catch (HttpRequestException e)
            {
                throw new TransientRegistryException($"cannot reach registry {_domain}: {e.Message}", e);
            }
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0 || scope is null) return response;
            var challenge = AuthChallenge.Parse(response.Headers.WwwAuthenticate.ToString());
            if (challenge is null) return response;
            response.Dispose();
            await AnswerAsync(challenge, scope, ct).ConfigureAwait(false);
        }
    }

    void Authorize(HttpRequestMessage request, string scope)
    {
        lock (_tokens)
        {
            if (_tokens.TryGetValue(scope, out var token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            else if (_basic && _credential is { } c) request.Headers.Authorization = BasicHeader(c);
        }
    }

    static AuthenticationHeaderValue BasicHeader(Credential c) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.Username}:{c.Password}")));

    async Task AnswerAsync(AuthChallenge challenge, string scope, CancellationToken ct)
    {
        if (challenge.IsBasic)
        {
            if (_credential is null) throw new RegistryException($"unauthorized: authentication required by {_domain} (gitops login {_domain})", EngineErrorKind.Unauthorized);
            _basic = true;
            return;
        }
        if (!challenge.IsBearer || challenge.Realm is null)
            throw new RegistryException($"{_domain} asks for unsupported authentication \"{challenge.Scheme}\"", EngineErrorKind.Upstream);
        await _authGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var query = new List<string>();
            if (challenge.Service is { } service) query.Add("service=" + Uri.EscapeDataString(service));
            var wanted = scope.Length > 0 ? scope : challenge.Scope;
            if (!string.IsNullOrEmpty(wanted)) query.Add("scope=" + Uri.EscapeDataString(wanted));
            var url = challenge.Realm + (query.Count == 0 ? "" : (challenge.Realm.Contains('?') ? "&" : "?") + string.Join('&', query));
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (_credential is { } c) request.Headers.Authorization = BasicHeader(c);
            HttpResponseMessage response;
            try { response = await _http.SendAsync(request, ct).ConfigureAwait(false); }
            catch (HttpRequestException e) { throw new TransientRegistryException($"cannot reach the token service of {_domain}: {e.Message}", e); }
            using (response)
            {
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    throw new RegistryException($"unauthorized: {_domain} refused the credentials{(_credential is null ? " (gitops login " + _domain + ")" : "")}", EngineErrorKind.Unauthorized);
                if (!response.IsSuccessStatusCode)
                    throw new RegistryException($"token service of {_domain} answered {(int)response.StatusCode} {response.ReasonPhrase}", EngineErrorKind.Upstream);
                var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                TokenResponse? parsed;
                try { parsed = JsonSerializer.Deserialize(body, RegistryJson.Default.TokenResponse); }
                catch (JsonException e) { throw new RegistryException($"token service of {_domain} sent invalid JSON: {e.Message}", EngineErrorKind.Upstream); }
                var token = parsed?.Token ?? parsed?.AccessToken ?? throw new RegistryException($"token service of {_domain} sent no token", EngineErrorKind.Upstream);
                lock (_tokens) _tokens[scope] = token;
            }
        }
        finally { _authGate.Release(); }
    }

    // ---- manifests ---------------------------------------------------------------------------

    public async Task<FetchedManifest> GetManifestAsync(string repository, string reference, CancellationToken ct)
    {
        using var response = await SendAsync(() =>
        {
            var r = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/{reference}");
            foreach (var a in ManifestAccept) r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(a));
            return r;
        }, Scope(repository, push: false), ct, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        await EnsureSuccess(response, $"manifest for {_domain}/{repository}:{reference}", ct).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var digest = Digest.Sha256(bytes);
        // A manifest asked for by digest must hash to it; one asked for by tag to what the registry says it is.
        if (Digest.TryParse(reference, out var want) && want != digest)
            throw new DigestMismatchException($"manifest verification failed for digest {want}: content hashes to {digest}");
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.First(), out var said) && said != digest)
            throw new DigestMismatchException($"manifest {repository}:{reference}: registry says {said}, content hashes to {digest}");
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.IsNullOrEmpty(mediaType) || mediaType is "application/json" or "text/plain")
        {
            // Some registries serve OCI documents as plain JSON: the document says what it is.
            var probe = JsonSerializer.Deserialize(bytes, RegistryJson.Default.ManifestProbe);
            mediaType = probe?.MediaType ?? (probe?.Manifests is not null ? MediaTypes.OciIndex : MediaTypes.OciManifest);
        }
        return new FetchedManifest(bytes, mediaType, digest);
    }

    public async Task PutManifestAsync(string repository, string reference, byte[] bytes, string mediaType, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, $"/v2/{repository}/manifests/{reference}")
        {
            Content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
        }, Scope(repository, push: true), ct).ConfigureAwait(false);
        await EnsureSuccess(response, $"manifest {repository}:{reference}", ct).ConfigureAwait(false);
    }

    // ---- blobs -------------------------------------------------------------------------------

    /// <summary>Opens a blob for streaming; the caller verifies it while reading.</summary>
    public async Task<(Stream Content, long? Length)> OpenBlobAsync(string repository, Digest digest, CancellationToken ct)
    {
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}"),
            Scope(repository, push: false), ct).ConfigureAwait(false);
        try
        {
            await EnsureSuccess(response, $"blob {digest}", ct).ConfigureAwait(false);
            var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            return (new OwningStream(stream, response), response.Content.Headers.ContentLength);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<byte[]> GetBlobAsync(string repository, Digest digest, long maxSize, CancellationToken ct)
    {
        var (content, _) = await OpenBlobAsync(repository, digest, ct).ConfigureAwait(false);
        await using (content)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = await content.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > maxSize) throw new RegistryException($"blob {digest} is larger than {maxSize} bytes", EngineErrorKind.Upstream);
            }
            var bytes = buffer.ToArray();
            var got = Digest.Sha256(bytes);
            if (got != digest) throw new DigestMismatchException($"blob verification failed for digest {digest}: content hashes to {got}");
            return bytes;
        }
    }

    public async Task<bool> BlobExistsAsync(string repository, Digest digest, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"),
            Scope(repository, push: true), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureSuccess(response, $"blob {digest}", ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Cross-repository mount: the registry links a blob it has under another name. False when it wants an upload.</summary>
    public async Task<bool> MountBlobAsync(string repository, Digest digest, string fromRepository, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post,
            $"/v2/{repository}/blobs/uploads/?mount={digest}&from={Uri.EscapeDataString(fromRepository)}"), Scope(repository, push: true), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created) return true;
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            // The registry opened an upload session instead; it expires on its own, but cancel it politely.
            if (response.Headers.Location is { } location)
                try { using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, Absolute(location)), Scope(repository, true), ct).ConfigureAwait(false); }
                catch (TransientRegistryException) { }
            return false;
        }
        await EnsureSuccess(response, $"mount of {digest}", ct).ConfigureAwait(false);
        return false;
    }

    /// <summary>Monolithic upload: POST opens a session, PUT ?digest= sends the bytes and closes it.</summary>
    public async Task UploadBlobAsync(string repository, Digest digest, long size, Func<Stream> open, CancellationToken ct)
    {
        using var start = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/"),
            Scope(repository, push: true), ct).ConfigureAwait(false);
        await EnsureSuccess(start, "upload start", ct).ConfigureAwait(false);
        var location = start.Headers.Location ?? throw new RegistryException($"{_domain} opened an upload without a Location", EngineErrorKind.Upstream);
        var target = Absolute(location);
        var separator = target.Contains('?') ? "&" : "?";
        using var put = await SendAsync(() =>
        {
            var content = new StreamContent(open());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = size;
            return new HttpRequestMessage(HttpMethod.Put, target + separator + "digest=" + Uri.EscapeDataString(digest.ToString())) { Content = content };
        }, Scope(repository, push: true), ct).ConfigureAwait(false);
        await EnsureSuccess(put, $"upload of {digest}", ct).ConfigureAwait(false);
    }

    string Absolute(Uri location) =>
        location.IsAbsoluteUri ? location.ToString() : (_scheme ?? "https://" + RegistryOptions.Endpoint(_domain)) + location.OriginalString;

    async Task EnsureSuccess(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await ErrorText(response, ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        throw status switch
        {
            401 or 403 => new RegistryException($"{what}: unauthorized: {text} (gitops login {_domain})", EngineErrorKind.Unauthorized),
            404 => new RegistryException($"{what}: not found: {text}", EngineErrorKind.NotFound),
            429 or >= 500 => new TransientRegistryException($"{what}: {_domain} answered {status} {text}"),
            _ => new RegistryException($"{what}: {_domain} answered {status}: {text}", EngineErrorKind.Upstream),
        };
    }

    static async Task<string> ErrorText(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            var errors = JsonSerializer.Deserialize(body, RegistryJson.Default.RegistryErrors)?.Errors;
            if (errors is { Count: > 0 }) return string.Join("; ", errors.Select(e => e.Message ?? e.Code));
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException) { }
        return response.ReasonPhrase ?? response.StatusCode.ToString();
    }

    public void Dispose()
    {
        _http.Dispose();
        _authGate.Dispose();
    }

    /// <summary>A response's stream that disposes the response with it.</summary>
    sealed class OwningStream(Stream inner, IDisposable owner) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.ReadAsync(buffer, offset, count, ct);
        protected override void Dispose(bool disposing)
        {
            if (disposing) { inner.Dispose(); owner.Dispose(); }
            base.Dispose(disposing);
        }
    }
}

/// <summary>Worth another try: the connection broke, or the registry is overloaded (5xx, 429).</summary>
public sealed class TransientRegistryException(string message, Exception? inner = null) : EngineException(message, inner)
{
    public override EngineErrorKind Kind => EngineErrorKind.Upstream;
}
