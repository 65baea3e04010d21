using System.Security.Cryptography.X509Certificates;

namespace GitOps.Runtime.Networking.Http;

/// <summary>
/// An http router's certificates, chosen per TLS handshake by server name (SNI) as an ingress controller
/// does: a binding that names the host (exactly, or by a one-label "*." wildcard), else the binding
/// without hosts, else the first. Loaded from the secret store on first use and again when the secret's
/// version changes, so `secret update` renews a certificate without restarting the router. The source
/// is asked for at each handshake: a daemon restarts its routers before the secret store is wired in.
/// </summary>
internal sealed class TlsCertificates(Func<ITlsSecretSource?> sources) : IDisposable
{
    readonly Lock _gate = new();
    readonly Dictionary<string, (string Version, X509Certificate2 Certificate)> _loaded = new(StringComparer.Ordinal);
    IReadOnlyList<TlsBinding> _bindings = [];

    public void Update(IReadOnlyList<TlsBinding> bindings)
    {
        lock (_gate) _bindings = bindings;
    }

    public X509Certificate2? Select(string? serverName)
    {
        IReadOnlyList<TlsBinding> bindings;
        lock (_gate) bindings = _bindings;
        var host = (serverName ?? "").TrimEnd('.').ToLowerInvariant();
        var binding = bindings.FirstOrDefault(b => b.Hosts.Any(h => string.Equals(h, host, StringComparison.OrdinalIgnoreCase)))
                      ?? bindings.FirstOrDefault(b => b.Hosts.Any(h => h.StartsWith("*.", StringComparison.Ordinal) && OneLabel(h, host)))
                      ?? bindings.FirstOrDefault(b => b.Hosts.Count == 0)
                      ?? bindings.FirstOrDefault();
        return binding is null ? null : Load(binding.Secret);
    }

    static bool OneLabel(string pattern, string host) =>
        host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase) && host.Length > pattern.Length - 1 && !host[..^(pattern.Length - 1)].Contains('.');

    X509Certificate2? Load(string secret)
    {
        var source = sources();
        if (source?.Version(secret) is not { } version) return null; // no such secret: the handshake fails, nothing else does
        lock (_gate)
        {
            if (_loaded.TryGetValue(secret, out var cached) && cached.Version == version) return cached.Certificate;
        }
        X509Certificate2 certificate;
        try { certificate = source.Load(secret); }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException or InvalidDataException)
        {
            Console.Error.WriteLine($"http router: secret {secret} holds no usable certificate and key: {e.Message}");
            return null;
        }
        lock (_gate)
        {
            if (_loaded.Remove(secret, out var old)) old.Certificate.Dispose();
            _loaded[secret] = (version, certificate);
        }
        return certificate;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var (_, c) in _loaded.Values) c.Dispose();
            _loaded.Clear();
        }
    }
}
