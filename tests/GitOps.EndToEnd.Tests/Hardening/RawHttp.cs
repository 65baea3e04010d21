using System.Net.Sockets;
using System.Text;

namespace GitOps.EndToEnd.Tests.Hardening;

/// <summary>
/// Hand-written HTTP/1.1 over a socket, for requests no well-behaved client sends: bodies streamed from one small
/// buffer (a "1 GB" upload allocates 1 MB in the test), declared lengths that never arrive, and a reader that takes
/// the server's answer while the body is still going out.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Body, long BytesSent);

    public static Socket Unix(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(path));
        return s;
    }

    public static Socket Tcp(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Connect(System.Net.IPAddress.Loopback, port);
        return s;
    }

    /// <summary>
    /// Sends the request head, then up to <paramref name="bodyBytes"/> of filler ('x' JSON-ish bytes) — with a
    /// Content-Length, or chunked when <paramref name="chunked"/> — and returns the server's status as soon as it
    /// answers, with how many body bytes had gone out by then.
    /// </summary>
    public static Answer Send(Socket socket, string method, string path, long bodyBytes, bool chunked, IEnumerable<(string, string)>? headers = null, TimeSpan? timeout = null)
    {
        using var _ = socket;
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: gitops\r\nContent-Type: application/json\r\n");
        foreach (var (k, v) in headers ?? []) head.Append($"{k}: {v}\r\n");
        head.Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {bodyBytes}\r\n");
        head.Append("\r\n");
        socket.Send(Encoding.ASCII.GetBytes(head.ToString()));
        long sent = 0;
        using var stop = new CancellationTokenSource();
        var sender = Task.Run(() =>
        {
            var chunk = new byte[1 << 20];
            chunk.AsSpan().Fill((byte)'x');
            chunk[0] = (byte)'"';
            try
            {
                while (sent < bodyBytes && !stop.IsCancellationRequested)
                {
                    var n = (int)Math.Min(chunk.Length, bodyBytes - sent);
                    if (chunked) socket.Send(Encoding.ASCII.GetBytes($"{n:x}\r\n"));
                    socket.Send(chunk.AsSpan(0, n));
                    if (chunked) socket.Send("\r\n"u8);
                    Interlocked.Add(ref sent, n);
                }
                if (chunked && !stop.IsCancellationRequested) socket.Send("0\r\n\r\n"u8);
            }
            catch (SocketException) { } // the server answered and closed: what these tests want
            catch (ObjectDisposedException) { }
        });
        var response = ReadResponse(socket, timeout ?? TimeSpan.FromSeconds(60));
        stop.Cancel();
        var total = Interlocked.Read(ref sent);
        try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
        socket.Close();
        sender.Wait(TimeSpan.FromSeconds(30));
        return response with { BytesSent = total };
    }

    static Answer ReadResponse(Socket socket, TimeSpan timeout)
    {
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        var buffer = new byte[64 << 10];
        var text = new StringBuilder();
        try
        {
            while (true)
            {
                var n = socket.Receive(buffer);
                if (n == 0) break;
                text.Append(Encoding.UTF8.GetString(buffer, 0, n));
                var s = text.ToString();
                var end = s.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0) continue;
                var length = s.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                if (length is not null && s.Length - end - 4 >= int.Parse(length.Split(':')[1].Trim())) break;
                if (s.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) && s.EndsWith("0\r\n\r\n", StringComparison.Ordinal)) break;
            }
        }
        catch (SocketException) { }
        var all = text.ToString();
        Assert.True(all.StartsWith("HTTP/1.1 ", StringComparison.Ordinal), $"no HTTP answer: \"{all}\"");
        var status = int.Parse(all.AsSpan(9, 3));
        var bodyStart = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return new Answer(status, bodyStart < 0 ? "" : all[(bodyStart + 4)..], 0);
    }

    /// <summary>The daemon's peak resident memory so far (VmHWM), in bytes.</summary>
    public static long PeakRss(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
}
