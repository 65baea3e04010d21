using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GitOps.Runtime.Logs;

namespace GitOps.Cli.Daemon;

/// <summary>
/// The attach/exec wire protocol over a WebSocket. Server to client: binary frames [stream][bytes]
/// (1 stdout, 2 stderr) and, last, a text frame {"exit":CODE}. Client to server: binary [0][bytes]
/// for stdin, a lone [0] for end of stdin, and text {"resize":[rows,cols]}.
/// </summary>
internal static class WebSocketSession
{
    public static async Task RunAsync(WebSocket ws, Subscription<(StdStream Stream, byte[] Data)> output,
        Action<ReadOnlyMemory<byte>> stdin, Action stdinEof, Action<ushort, ushort> resize, Func<Task<int>> exitCode,
        CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var receiver = ReceiveAsync(ws, stdin, stdinEof, resize, cts.Token);
        try
        {
            await foreach (var (stream, data) in output.Reader.ReadAllAsync(cts.Token).ConfigureAwait(false))
            {
                var frame = new byte[data.Length + 1];
                frame[0] = (byte)stream;
                data.CopyTo(frame, 1);
                await ws.SendAsync(frame, WebSocketMessageType.Binary, true, cts.Token).ConfigureAwait(false);
            }
            var code = await exitCode().ConfigureAwait(false);
            var json = Encoding.UTF8.GetBytes($"{{\"exit\":{code}}}");
            await ws.SendAsync(json, WebSocketMessageType.Text, true, cts.Token).ConfigureAwait(false);
            await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "exited", cts.Token).ConfigureAwait(false);
            // Let the client answer the close: cancelling a pending receive aborts the socket, and
            // an abort can drop frames not yet flushed (the last output, the exit code).
            await Task.WhenAny(receiver, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
        finally
        {
            output.Dispose();
            if (!receiver.IsCompleted) await cts.CancelAsync().ConfigureAwait(false);
            try { await receiver.ConfigureAwait(false); } catch (Exception) { }
        }
    }

    static async Task ReceiveAsync(WebSocket ws, Action<ReadOnlyMemory<byte>> stdin, Action stdinEof,
        Action<ushort, ushort> resize, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (!ct.IsCancellationRequested)
        {
            WebSocketReceiveResult r;
            try { r = await ws.ReceiveAsync(buffer, ct).ConfigureAwait(false); }
            catch (Exception) { return; }
            if (r.MessageType == WebSocketMessageType.Close) return;
            message.Write(buffer, 0, r.Count);
            if (!r.EndOfMessage) continue;
            var bytes = message.ToArray();
            message.SetLength(0);
            if (r.MessageType == WebSocketMessageType.Binary)
            {
                if (bytes.Length == 1 && bytes[0] == 0) stdinEof();
                else if (bytes.Length > 1 && bytes[0] == 0) stdin(bytes.AsMemory(1));
            }
            else
            {
                try
                {
                    using var doc = JsonDocument.Parse(bytes);
                    if (doc.RootElement.TryGetProperty("resize", out var rs) && rs.GetArrayLength() == 2)
                        resize((ushort)rs[0].GetInt32(), (ushort)rs[1].GetInt32());
                }
                catch (JsonException) { }
                catch (Exception) { /* resize of a container without a tty: ignore */ }
            }
        }
    }
}
