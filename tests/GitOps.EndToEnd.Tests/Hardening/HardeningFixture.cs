using System.Net.Sockets;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Hardening;

/// <summary>A daemon of its own for the attacks (they prune, flood and restart it), with a signed webhook listener.</summary>
public sealed class HardeningFixture : DaemonFixture
{
    public static readonly int HookPort = FreePort();
    public const string HookSecret = "hardening-hook-secret";

    protected override string ExtraDaemonArgs => $"--webhook-listen 127.0.0.1:{HookPort} --config \"{ConfigFile()}\"";

    public int Pid => Daemon!.Id;

    static string ConfigFile()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitops-e2e-hardening-" + HookPort);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "gitops.yaml");
        File.WriteAllText(file, $"webhook:\n  listen: 127.0.0.1:{HookPort}\n  secret: {HookSecret}\n");
        return file;
    }

    static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>One hardening daemon (its webhook port is fixed for the run) shared by the attack and sweep classes, which run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class HardeningCollection : ICollectionFixture<HardeningFixture>
{
    public const string Name = "hardening";
}

/// <summary>
/// A daemon whose --root is a small tmpfs (32 MiB), so a test can fill it up: the disk-full attacks. The tmpfs is
/// mounted before the daemon starts (the base class starts it in its constructor) and unmounted after it is gone.
/// </summary>
public sealed class TmpfsRootFixture : DaemonFixture
{
    bool _mounted;

    protected override string ExtraDaemonArgs
    {
        get
        {
            if (!_mounted)
            {
                Directory.CreateDirectory(Root);
                var r = Gitops.Exec("/bin/mount", null, null, Timeout, "-t", "tmpfs", "-o", "size=32m,mode=0711", "tmpfs", Root);
                Assert.True(r.ExitCode == 0, r.ToString());
                _mounted = true;
            }
            return "";
        }
    }

    public override void Dispose()
    {
        try { base.Dispose(); }
        finally
        {
            if (_mounted) Gitops.Exec("/bin/umount", null, null, Timeout, "-l", Root);
            Gitops.Exec("/bin/rm", null, null, Timeout, "-rf", Dir);
        }
    }
}
