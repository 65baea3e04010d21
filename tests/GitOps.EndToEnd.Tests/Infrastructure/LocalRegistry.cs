using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GitOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Debian's docker-registry on 127.0.0.1 at a free port, with its own config and storage, and
/// optionally htpasswd (Basic) auth. Filled with skopeo, an independent client.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    readonly Process _process;

    public LocalRegistry(string dir, (string User, string Password)? auth = null)
    {
        Dir = dir;
        Directory.CreateDirectory(dir);
        Storage = Path.Combine(dir, "storage");
        Port = FreePort();
        var config = $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {Storage}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
            """;
        if (auth is { } a)
        {
            Credentials = a;
            var htpasswd = Path.Combine(dir, "htpasswd");
            var made = Gitops.Exec("/usr/bin/htpasswd", null, null, DaemonFixture.Timeout, "-Bbc", htpasswd, a.User, a.Password);
            Assert.True(made.ExitCode == 0, made.ToString());
            config += $"""

                auth:
                  htpasswd:
                    realm: gitops-test
                    path: {htpasswd}
                """;
        }
        var configPath = Path.Combine(dir, "config.yml");
        File.WriteAllText(configPath, config + "\n");
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            ArgumentList = { "-c", $"exec docker-registry serve {configPath} >>{Path.Combine(dir, "registry.log")} 2>&1" },
        };
        _process = Process.Start(psi)!;
        using var http = new HttpClient();
        Gitops.Eventually(() =>
        {
            try
            {
                using var r = http.GetAsync($"http://{Address}/v2/").GetAwaiter().GetResult();
                return r.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized;
            }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(20), "the registry to answer");
    }

    public string Dir { get; }
    public string Storage { get; }
    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";
    public (string User, string Password)? Credentials { get; }

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>skopeo copy from an OCI layout into this registry.</summary>
    public void Push(string ociDir, string layoutTag, string repoAndTag, bool all = false, string? format = null)
    {
        var args = new List<string> { "--insecure-policy", "copy", "--dest-tls-verify=false" };
        if (all) args.Add("--all");
        if (format is not null) { args.Add("--format"); args.Add(format); }
        if (Credentials is { } c) { args.Add("--dest-creds"); args.Add($"{c.User}:{c.Password}"); }
        args.Add($"oci:{ociDir}:{layoutTag}");
        args.Add($"docker://{Address}/{repoAndTag}");
        var r = Gitops.Exec("/usr/bin/skopeo", null, null, TimeSpan.FromSeconds(120), [.. args]);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    /// <summary>The file the registry keeps a blob in.</summary>
    public string BlobData(string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(Storage, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    public void Dispose()
    {
        try { _process.Kill(); _process.WaitForExit(); } catch (InvalidOperationException) { }
    }
}
