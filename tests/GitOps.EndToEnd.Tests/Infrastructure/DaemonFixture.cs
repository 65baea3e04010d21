using System.Diagnostics;

namespace GitOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One real daemon with its own root and socket (several run side by side, as the tests need),
/// with the busybox test image "bb" imported from a rootfs made of Debian's busybox-static.
/// </summary>
public class DaemonFixture : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public DaemonFixture()
    {
        Dir = Directory.CreateTempSubdirectory("gitops-e2e-").FullName;
        Root = Path.Combine(Dir, "root");
        Socket = Path.Combine(Dir, "gitops.sock");
        StartDaemon();
        BusyboxRootfs = Path.Combine(Dir, "bbroot");
        var made = Gitops.Exec("/bin/bash", null, null, Timeout, Path.Combine(Gitops.RepoRoot, "examples", "hello", "make-rootfs.sh"), BusyboxRootfs);
        Assert.True(made.ExitCode == 0, made.ToString());
        var imported = Cli("image", "import", BusyboxRootfs, "bb");
        Assert.True(imported.ExitCode == 0, imported.ToString());
    }

    public string Dir { get; }
    public string Root { get; }
    public string Socket { get; }
    public string BusyboxRootfs { get; }
    public Process? Daemon { get; private set; }
    public string DaemonLog => Path.Combine(Dir, "daemon.log");

    /// <summary>More daemon flags for fixtures that need them (already shell-quoted).</summary>
    protected virtual string ExtraDaemonArgs => "";

    public void StartDaemon()
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            ArgumentList = { "-c", $"exec \"{Gitops.Binary}\" daemon --root \"{Root}\" --socket \"{Socket}\" {ExtraDaemonArgs} >>\"{Path.Combine(Dir, "daemon.log")}\" 2>&1" },
        };
        Daemon = Process.Start(psi)!;
        Gitops.Eventually(() => File.Exists(Socket) && Cli("version").ExitCode == 0, TimeSpan.FromSeconds(20), "the daemon to answer");
    }

    /// <summary>SIGKILL, as a crash would.</summary>
    public void KillDaemon()
    {
        Daemon!.Kill();
        Daemon.WaitForExit();
    }

    public CliResult Cli(params string[] args) => Gitops.Run(Socket, null, Timeout, args);

    public CliResult CliWithInput(string stdin, params string[] args) => Gitops.Run(Socket, stdin, Timeout, args);

    /// <summary>Runs a command expected to succeed; returns its trimmed stdout.</summary>
    public string Ok(params string[] args)
    {
        var r = Cli(args);
        Assert.True(r.ExitCode == 0, $"gitops {string.Join(' ', args)} failed: {r}\ndaemon log:\n{File.ReadAllText(DaemonLog)}");
        return r.Out;
    }

    public string InstanceName => "gitops-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Root)))[..8];

    /// <summary>The 4 hex digits the daemon's host-wide network names (bridges g…, veths v…) carry.</summary>
    public string NetInstance => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Root)))[..4];

    public string NftTable => InstanceName.Replace('-', '_');

    /// <summary>This daemon's network interfaces on the host, sorted.</summary>
    public IReadOnlyList<string> HostLinks() =>
        Gitops.Exec("/usr/sbin/ip", null, null, Timeout, "-o", "link", "show").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim().Split('@')[0])
            .Where(n => n.StartsWith("g" + NetInstance, StringComparison.Ordinal) || n.StartsWith("v" + NetInstance, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>This daemon's nftables table as nft prints it ("" when there is none).</summary>
    public string NftRuleset()
    {
        var r = Gitops.Exec("/usr/sbin/nft", null, null, Timeout, "list", "table", "ip", NftTable);
        return r.ExitCode == 0 ? r.Stdout : "";
    }

    public IReadOnlyList<string> CgroupDirs()
    {
        var dir = Path.Combine("/sys/fs/cgroup/pids", InstanceName);
        return Directory.Exists(dir) ? Directory.GetDirectories(dir) : [];
    }

    public virtual void Dispose()
    {
        try
        {
            if (Daemon is { HasExited: false })
            {
                var ids = Cli("ps", "-aq", "--no-trunc").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (ids.Length > 0) Cli(["rm", "-f", .. ids]);
                Daemon.Kill();
                Daemon.WaitForExit();
            }
        }
        finally
        {
            foreach (var cg in CgroupDirs()) TryDelete(cg);
            // The default bridge and the nft table outlive a daemon, as docker0 and Docker's rules do;
            // a test daemon's must not outlive the test.
            foreach (var link in HostLinks()) Gitops.Exec("/usr/sbin/ip", null, null, Timeout, "link", "del", link);
            Gitops.Exec("/usr/sbin/nft", null, null, Timeout, "delete", "table", "ip", NftTable);
            RemoveTree(Dir);
        }
    }

    static void TryDelete(string dir)
    {
        try { Directory.Delete(dir); } catch (IOException) { }
    }

    static void RemoveTree(string dir)
    {
        // rm handles read-only directories and overlay whiteouts left by containers.
        Gitops.Exec("/bin/rm", null, null, TimeSpan.FromSeconds(60), "-rf", dir);
    }
}

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "engine";
}
