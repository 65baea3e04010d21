using System.Net.Security;

namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// The HTTP clients web and Prometheus metrics share: one that verifies certificates and one for metrics that set
/// <c>insecure: true</c> (Argo's insecureTransport). Timeouts are per request, so the clients themselves never time out.
/// </summary>
internal sealed class HttpClients : IDisposable
{
    private readonly HttpClient _secure;
    private readonly HttpClient _insecure;

    public HttpClients()
    {
        _secure = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), AllowAutoRedirect = true }) { Timeout = Timeout.InfiniteTimeSpan };
        _insecure = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
        }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public HttpClient For(bool insecure) => insecure ? _insecure : _secure;

    public void Dispose()
    {
        _secure.Dispose();
        _insecure.Dispose();
    }
}
