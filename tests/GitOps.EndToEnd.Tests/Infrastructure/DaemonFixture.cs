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

    public void StartDaemon()
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            ArgumentList = { "-c", $"exec \"{Gitops.Binary}\" daemon --root \"{Root}\" --socket \"{Socket}\" >>\"{Path.Combine(Dir, "daemon.log")}\" 2>&1" },
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
