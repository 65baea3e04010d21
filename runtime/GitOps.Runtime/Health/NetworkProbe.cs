using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Health;

/// <summary>
/// Kubernetes' httpGet and tcpSocket probes, made by the daemon instead of a tool inside the image. The
/// socket is created inside the container's network namespace (through its pidfd) and used from here, so the
/// probe reaches 127.0.0.1:PORT as the container itself would, whatever network the container is on.
/// </summary>
internal static class NetworkProbe
{
    public static async Task<HealthLog> RunAsync(Container c, HealthSpec spec, CancellationToken ct)
    {
        var start = DateTimeOffset.UtcNow;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(spec.Timeout);
        try
        {
            using var socket = SocketInside(c);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, spec.Port), timeout.Token).ConfigureAwait(false);
            if (spec.Kind == HealthCheckKind.Tcp)
                return new HealthLog(start, DateTimeOffset.UtcNow, 0, $"TCP connection to port {spec.Port} opened");
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (spec.Https)
            {
                // Kubernetes does not verify a probe's certificate either: the check is "does it answer".
                var tls = new SslStream(stream, false, (_, _, _, _) => true);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token).ConfigureAwait(false);
                stream = tls;
            }
            await using (stream.ConfigureAwait(false))
            {
                var request = $"GET {spec.Path} HTTP/1.1\r\nHost: localhost:{spec.Port}\r\nUser-Agent: gitops-probe/1.0\r\nAccept: */*\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token).ConfigureAwait(false);
                var status = await ReadStatusLineAsync(stream, timeout.Token).ConfigureAwait(false);
                var parts = status.Split(' ', 3);
                if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(parts[1], out var code))
                    return new HealthLog(start, DateTimeOffset.UtcNow, 1, $"HTTP probe of port {spec.Port}{spec.Path}: not an HTTP answer");
                var healthy = code is >= 200 and < 400;
                return new HealthLog(start, DateTimeOffset.UtcNow, healthy ? 0 : 1, $"HTTP probe of port {spec.Port}{spec.Path}: {status}");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new HealthLog(start, DateTimeOffset.UtcNow, -1, $"Health check exceeded timeout ({GoDuration.Format(spec.Timeout)})");
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException or EngineException or ObjectDisposedException)
        {
            return new HealthLog(start, DateTimeOffset.UtcNow, 1, $"{(spec.Kind == HealthCheckKind.Tcp ? "TCP" : "HTTP")} probe of port {spec.Port}: {e.Message}");
        }
    }

    /// <summary>A TCP socket of the container's network namespace (bound to an ephemeral port there), as a .NET socket.</summary>
    static Socket SocketInside(Container c)
    {
        var process = c.Process ?? throw new ConflictException($"container {c.Name} is not running");
        var fd = Sys.InNetworkNamespace(process.Pidfd, () => Sys.BindIPv4(udp: false, [0, 0, 0, 0], 0, out _));
        return new Socket(new SafeSocketHandle((IntPtr)fd.Release(), ownsHandle: true));
    }

    static async Task<string> ReadStatusLineAsync(Stream stream, CancellationToken ct)
    {
        var line = new StringBuilder();
        var buffer = new byte[1];
        while (line.Length < 1024 && await stream.ReadAsync(buffer, ct).ConfigureAwait(false) == 1)
        {
            if (buffer[0] == '\n') break;
            if (buffer[0] != '\r') line.Append((char)buffer[0]);
        }
        return line.ToString();
    }
}
