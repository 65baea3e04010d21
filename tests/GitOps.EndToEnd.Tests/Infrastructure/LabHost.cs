using System.Diagnostics;

namespace GitOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One "machine" of a lab: a network namespace with a veth into the lab bridge, and a gitops daemon running
/// inside it with its own --root, --socket (Unix sockets work across network namespaces, so the CLI reaches
/// it from the test) and --node-name; its cgroup parent follows from its root.
/// </summary>
public sealed class LabHost
{
    internal LabHost(Lab lab, int index, string name)
    {
        Lab = lab;
        Name = name;
        Namespace = $"{lab.Prefix}-{name}";
        HostVeth = $"{lab.Prefix}-v{index}";
        Address = $"{lab.SubnetPrefix}.{10 + index}";
        Dir = Path.Combine(lab.Dir, name);
        Root = Path.Combine(Dir, "root");
        Socket = Path.Combine(Dir, "gitops.sock");
        Directory.CreateDirectory(Dir);
    }

    public Lab Lab { get; }
    public string Name { get; }
    public string Namespace { get; }
    public string HostVeth { get; }
    public string Address { get; }
    public string Dir { get; }
    public string Root { get; }
    public string Socket { get; }
    public string NodeName { get; private set; } = "";
    public Process? Daemon { get; private set; }
    public string DaemonLog => Path.Combine(Dir, "daemon.log");
    public string EtcdLog => Path.Combine(Root, "etcd", "etcd.log");
    public bool IsCut { get; private set; }

    /// <summary>The cgroup parent the daemon derives from its root (see the engine's instance name).</summary>
    public string InstanceName => "gitops-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Root)))[..8];

    public void StartDaemon(string? nodeName = null)
    {
        NodeName = nodeName ?? (NodeName.Length > 0 ? NodeName : Name);
        // nsenter, not ip netns exec: the latter also remounts /sys for the namespace, which hides the cgroup
        // hierarchies the engine needs; only the network namespace is the host's own.
        var psi = new ProcessStartInfo("/usr/bin/nsenter") { UseShellExecute = false };
        foreach (var a in new[] { $"--net=/run/netns/{Namespace}", "--", "/bin/sh", "-c",
                     $"exec \"{Gitops.Binary}\" daemon --root \"{Root}\" --socket \"{Socket}\" --node-name \"{NodeName}\" >>\"{DaemonLog}\" 2>&1" })
            psi.ArgumentList.Add(a);
        Daemon = Process.Start(psi)!;
        Gitops.Eventually(() => File.Exists(Socket) && Cli("version").ExitCode == 0, TimeSpan.FromSeconds(30), $"the daemon of {Name} to answer");
    }

    /// <summary>SIGKILL, as a crash: the daemon's etcd member (if any) keeps running, as designed.</summary>
    public void KillDaemon()
    {
        if (Daemon is null) return;
        Daemon.Kill();
        Daemon.WaitForExit();
        Daemon = null;
    }

    /// <summary>SIGTERM: the daemon stops its etcd member and leaves containers running.</summary>
    public void StopDaemon()
    {
        if (Daemon is null) return;
        Gitops.Exec("/bin/kill", null, null, Lab.Timeout, "-TERM", Daemon.Id.ToString());
        if (!Daemon.WaitForExit(TimeSpan.FromSeconds(30))) Daemon.Kill();
        Daemon.WaitForExit();
        Daemon = null;
    }

    /// <summary>Cuts the host off the lab network (nftables in its namespace drops all but loopback).</summary>
    public void Cut()
    {
        var r = Gitops.Exec("/usr/sbin/ip", null, """
            table inet gol_cut {
              chain input { type filter hook input priority -300; policy drop; iif "lo" accept; }
              chain output { type filter hook output priority -300; policy drop; oif "lo" accept; }
            }
            """, Lab.Timeout, "netns", "exec", Namespace, "nft", "-f", "-");
        Assert.True(r.ExitCode == 0, $"cutting {Name} off: {r}");
        IsCut = true;
    }

    public void Reconnect()
    {
        Gitops.Exec("/usr/sbin/ip", null, null, Lab.Timeout, "netns", "exec", Namespace, "nft", "delete", "table", "inet", "gol_cut");
        IsCut = false;
    }

    public CliResult Cli(params string[] args) => Gitops.Run(Socket, null, Lab.Timeout, args);

    /// <summary>Runs a command expected to succeed; returns its trimmed stdout.</summary>
    public string Ok(params string[] args)
    {
        var r = Cli(args);
        Assert.True(r.ExitCode == 0, $"[{Name}] gitops {string.Join(' ', args)} failed: {r}\ndaemon log:\n{Tail(DaemonLog)}");
        return r.Out;
    }

    /// <summary>Runs a program inside the host's network namespace.</summary>
    public CliResult Exec(params string[] command) =>
        Gitops.Exec("/usr/sbin/ip", null, null, Lab.Timeout, ["netns", "exec", Namespace, .. command]);

    public static string Tail(string file, int lines = 40) =>
        File.Exists(file) ? string.Join('\n', File.ReadAllLines(file).TakeLast(lines)) : "(no log)";

    public override string ToString() => $"{Name} ({Address})";
}
