using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GitOps.Runtime.Linux;

namespace GitOps.Cli.Client;

/// <summary>
/// The client half of an attach or exec session: copies the terminal's stdin in, the container's
/// stdout and stderr out, keeps the tty size in sync, and detaches on Ctrl-P Ctrl-Q.
/// Returns the exit code, or null when the user detached.
/// </summary>
public sealed class AttachSession(ClientWebSocket ws, bool sendStdin, bool tty, Func<ushort, ushort, Task>? onResize = null)
{
    const byte CtrlP = 0x10, CtrlQ = 0x11;

    /// <summary>The user typed Ctrl-P Ctrl-Q: the container runs on.</summary>
    public bool Detached { get; private set; }

    public async Task<int?> RunAsync(CancellationToken ct)
    {
        byte[]? savedTerminal = null;
        PosixSignalRegistration? winch = null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var detached = false;
        try
        {
            var raw = tty && Sys.IsTerminal(0) && sendStdin;
            if (raw) savedTerminal = Sys.MakeRaw(0);
            if (tty)
            {
                await SendResizeAsync(cts.Token).ConfigureAwait(false);
                winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, ctx =>
                {
                    ctx.Cancel = true;
                    // The runtime may restore its terminal settings on signals; keep the terminal raw.
                    if (raw) Sys.MakeRaw(0);
                    _ = SendResizeAsync(cts.Token);
                });
            }
            if (sendStdin)
                _ = Task.Run(async () =>
                {
                    if (await PumpStdinAsync(cts.Token).ConfigureAwait(false))
                    {
                        detached = true;
                        await cts.CancelAsync().ConfigureAwait(false);
                    }
                }, CancellationToken.None);
            var code = await ReceiveAsync(cts.Token).ConfigureAwait(false);
            Detached = detached;
            return code;
        }
        catch (OperationCanceledException) when (detached)
        {
            Detached = true;
            return null;
        }
        finally
        {
            winch?.Dispose();
            if (savedTerminal is not null) Sys.RestoreTerminal(0, savedTerminal);
            if (detached)
            {
                try { await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "detached", CancellationToken.None).ConfigureAwait(false); }
                catch (Exception) { }
            }
        }
    }

    readonly SemaphoreSlim _sendLock = new(1, 1);

    async Task SendAsync(byte[] data, WebSocketMessageType type, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try { await ws.SendAsync(data, type, true, ct).ConfigureAwait(false); }
        finally { _sendLock.Release(); }
    }

    async Task SendResizeAsync(CancellationToken ct)
    {
        if (Sys.GetWindowSize(1) is not { } size && Sys.GetWindowSize(0) is not { } _) return;
        var (rows, cols) = Sys.GetWindowSize(1) ?? Sys.GetWindowSize(0)!.Value;
        if (onResize is not null) { await onResize(rows, cols).ConfigureAwait(false); return; }
        await SendAsync(Encoding.UTF8.GetBytes($"{{\"resize\":[{rows},{cols}]}}"), WebSocketMessageType.Text, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies stdin to the session; true when the user typed the detach sequence. fd 0 is read
    /// directly: on a terminal, Console's input stream goes through the runtime's own line editor,
    /// which echoes and interprets keys.
    /// </summary>
    async Task<bool> PumpStdinAsync(CancellationToken ct)
    {
        using var stdin = new SafeFd(0, ownsHandle: false);
        var buffer = new byte[32 * 1024];
        var pendingCtrlP = false;
        while (!ct.IsCancellationRequested)
        {
            int n;
            try { n = Sys.Read(stdin, buffer); }
            catch (ErrnoException) { return false; }
            if (n < 0) { await Task.Delay(10, ct).ConfigureAwait(false); continue; }
            if (n == 0)
            {
                try { await SendAsync([0], WebSocketMessageType.Binary, ct).ConfigureAwait(false); } catch (Exception) { }
                return false;
            }
            var chunk = new List<byte>(n + 2) { 0 };
            for (var i = 0; i < n; i++)
            {
                var b = buffer[i];
                if (pendingCtrlP)
                {
                    pendingCtrlP = false;
                    if (b == CtrlQ) return true;
                    chunk.Add(CtrlP);
                }
                if (b == CtrlP && tty) { pendingCtrlP = true; continue; }
                chunk.Add(b);
            }
            if (chunk.Count > 1)
            {
                try { await SendAsync(chunk.ToArray(), WebSocketMessageType.Binary, ct).ConfigureAwait(false); }
                catch (Exception) { return false; }
            }
        }
        return false;
    }

    async Task<int?> ReceiveAsync(CancellationToken ct)
    {
        await using var stdout = Console.OpenStandardOutput();
        await using var stderr = Console.OpenStandardError();
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult r;
            try { r = await ws.ReceiveAsync(buffer, ct).ConfigureAwait(false); }
            catch (WebSocketException) { return null; }
            if (r.MessageType == WebSocketMessageType.Close) return null;
            message.Write(buffer, 0, r.Count);
            if (!r.EndOfMessage) continue;
            var bytes = message.ToArray();
            message.SetLength(0);
            if (r.MessageType == WebSocketMessageType.Binary && bytes.Length > 0)
            {
                var target = bytes[0] == 2 ? stderr : stdout;
                await target.WriteAsync(bytes.AsMemory(1), ct).ConfigureAwait(false);
                await target.FlushAsync(ct).ConfigureAwait(false);
                continue;
            }
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.TryGetProperty("exit", out var exit))
            {
                // Complete the close handshake the server started, rather than dropping the connection.
                try { await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", ct).WaitAsync(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false); }
                catch (Exception) { }
                return exit.GetInt32();
            }
            if (doc.RootElement.TryGetProperty("message", out var error))
                throw new ApiException(500, error.GetString() ?? "error",
                    doc.RootElement.TryGetProperty("exitCode", out var ec) && ec.ValueKind == JsonValueKind.Number ? ec.GetInt32() : null);
        }
    }
}
