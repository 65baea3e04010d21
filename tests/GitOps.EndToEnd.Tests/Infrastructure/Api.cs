using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace GitOps.EndToEnd.Tests.Infrastructure;

/// <summary>Raw API calls on a daemon's socket, for exact numbers the CLI prints in human units.</summary>
public static class Api
{
    public static JsonDocument Get(DaemonFixture d, string path)
    {
        using var http = Client(d);
        var body = http.GetStringAsync(path).GetAwaiter().GetResult();
        return JsonDocument.Parse(body);
    }

    /// <summary>POSTs a JSON body; the status code and the response body, whatever the status.</summary>
    public static (int Status, string Body) Post(DaemonFixture d, string path, string json)
    {
        using var http = Client(d);
        using var r = http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json")).GetAwaiter().GetResult();
        return ((int)r.StatusCode, r.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }

    static HttpClient Client(DaemonFixture d)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(d.Socket), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri("http://gitops/") };
    }

    /// <summary>Bytes of regular files and symlinks under a directory, each inode once, as find(1) reports them.</summary>
    public static long FindBytes(string dir)
    {
        var r = Gitops.Exec("/usr/bin/find", null, null, DaemonFixture.Timeout, dir, "(", "-type", "f", "-o", "-type", "l", ")", "-printf", "%i %s\n");
        Assert.Equal(0, r.ExitCode);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).DistinctBy(p => p[0]).Sum(p => long.Parse(p[1]));
    }

    /// <summary>Every file under <paramref name="dir"/> (and the extra files) whose bytes contain <paramref name="needle"/>.</summary>
    public static IReadOnlyList<string> FilesContaining(string dir, string needle, params string[] extra)
    {
        var bytes = Encoding.UTF8.GetBytes(needle);
        var hits = new List<string>();
        var files = new List<string>(extra);
        var r = Gitops.Exec("/usr/bin/find", null, null, DaemonFixture.Timeout, dir, "-type", "f");
        files.AddRange(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var f in files)
        {
            byte[] content;
            try { content = File.ReadAllBytes(f); }
            catch (IOException) { continue; } // removed meanwhile
            if (content.AsSpan().IndexOf(bytes) >= 0) hits.Add(f);
        }
        return hits;
    }
}
