using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json.Serialization.Metadata;
using GitOps.Cli.Api;

namespace GitOps.Cli.Client;

/// <summary>A failure the CLI reports in one line and turns into an exit code.</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The API server answered with an error.</summary>
public sealed class ApiException(int status, string message, int? exitCode = null) : Exception(message)
{
    public int Status { get; } = status;
    /// <summary>For a failed start: what a shell would report (126 not executable, 127 not found).</summary>
    public int? ExitCode { get; } = exitCode;
}

/// <summary>HTTP over the daemon's Unix socket.</summary>
public sealed class DaemonClient : IDisposable
{
    readonly HttpClient _http;
    readonly SocketsHttpHandler _handler;

    public DaemonClient(string socketPath)
    {
        SocketPath = socketPath;
        _handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    throw Unreachable(e);
                }
            },
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _http = new HttpClient(_handler) { BaseAddress = new Uri("http://gitops/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    CliException Unreachable(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AccessDenied => new CliException(
            $"permission denied while trying to connect to the gitops daemon socket at unix://{SocketPath}: the API is for root only; run this command as root"),
        _ => new CliException(
            $"cannot connect to the gitops daemon at unix://{SocketPath}. Is it running? Start it with: sudo gitops daemon" +
            (SocketPath == Daemon.DaemonHost.DefaultSocket ? "" : $" --socket {SocketPath}")),
    };

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try { response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false); }
        catch (HttpRequestException e) when (e.InnerException is CliException cli) { throw cli; }
        catch (HttpRequestException e) when (e.InnerException is SocketException se) { throw Unreachable(se); }
        if ((int)response.StatusCode >= 400) throw await ErrorOf(response).ConfigureAwait(false);
        return response;
    }

    static async Task<ApiException> ErrorOf(HttpResponseMessage response)
    {
        string message;
        int? exitCode = null;
        try
        {
            var body = await response.Content.ReadFromJsonAsync(ApiJson.Default.ErrorResponse).ConfigureAwait(false);
            message = body?.Message ?? response.ReasonPhrase ?? "error";
            exitCode = body?.ExitCode;
        }
        catch (Exception) { message = $"{(int)response.StatusCode} {response.ReasonPhrase}"; }
        response.Dispose();
        return new ApiException((int)response.StatusCode, message, exitCode);
    }

    public async Task<T> GetJsonAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Get, path, ct: ct).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync(type, ct).ConfigureAwait(false))!;
    }

    public async Task<TOut> PostJsonAsync<TIn, TOut>(string path, TIn body, JsonTypeInfo<TIn> inType, JsonTypeInfo<TOut> outType, CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Post, path, JsonContent.Create(body, inType), ct: ct).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync(outType, ct).ConfigureAwait(false))!;
    }

    public async Task<TOut> PostAsync<TOut>(string path, JsonTypeInfo<TOut> outType, CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Post, path, ct: ct).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync(outType, ct).ConfigureAwait(false))!;
    }

    /// <summary>POST without a body; true for 2xx, false for 304 (nothing to do).</summary>
    public async Task<bool> PostAsync(string path, CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Post, path, ct: ct).ConfigureAwait(false);
        return response.StatusCode != HttpStatusCode.NotModified;
    }

    public async Task DeleteAsync(string path, CancellationToken ct = default)
    {
        using var _ = await SendAsync(HttpMethod.Delete, path, ct: ct).ConfigureAwait(false);
    }

    public async Task<Stream> GetStreamAsync(string path, CancellationToken ct = default)
    {
        var response = await SendAsync(HttpMethod.Get, path, completion: HttpCompletionOption.ResponseHeadersRead, ct: ct).ConfigureAwait(false);
        return await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Opens a WebSocket to the daemon (attach, exec).</summary>
    public async Task<ClientWebSocket> WebSocketAsync(string path, CancellationToken ct = default)
    {
        var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        try
        {
            await ws.ConnectAsync(new Uri("ws://gitops/" + path.TrimStart('/')), new HttpMessageInvoker(_handler, disposeHandler: false), ct).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            ws.Dispose();
            if (e.InnerException is HttpRequestException { InnerException: CliException cli }) throw cli;
            if (e.InnerException is HttpRequestException { InnerException: SocketException se }) throw Unreachable(se);
            // The server refused the upgrade: ask again without it to read the error message.
            using var response = await _http.GetAsync(path, ct).ConfigureAwait(false);
            if ((int)response.StatusCode >= 400) throw await ErrorOf(response).ConfigureAwait(false);
            throw new CliException($"cannot open a session with the daemon: {e.Message}");
        }
        return ws;
    }

    public void Dispose()
    {
        _http.Dispose();
        _handler.Dispose();
    }
}
