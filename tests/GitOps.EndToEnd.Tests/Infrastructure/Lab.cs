using System.Diagnostics;

namespace GitOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Hosts on one machine: network namespaces joined by a lab bridge (gol-XXXX) on a /24 of their own,
/// each with its own daemon. Dispose removes everything it made: daemons, etcd members and any process
/// left under a host's root, namespaces, links, cgroups and files.
/// </summary>
public sealed class Lab : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    readonly List<LabHost> _hosts = [];

    public Lab(params string[] hostNames)
    {
        var tag = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));
        Prefix = "gol-" + tag;
        Bridge = Prefix;
        SubnetPrefix = $"10.{200 + Random.Shared.Next(50)}.{Random.Shared.Next(256)}";
        Dir = Directory.CreateTempSubdirectory("gitops-lab-").FullName;
        try
        {
            Ip("link", "add", Bridge, "type", "bridge");
            // Bridged frames must not go through the host's iptables (br_netfilter), whatever its rules are.
            Gitops.Exec("/usr/sbin/ip", null, null, Timeout, "link", "set", Bridge, "type", "bridge", "nf_call_iptables", "0");
            Ip("link", "set", Bridge, "up");
            for (var i = 0; i < hostNames.Length; i++) _hosts.Add(AddHost(i + 1, hostNames[i]));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Prefix { get; }
    public string Bridge { get; }
    public string SubnetPrefix { get; }
    public string Dir { get; }
    public IReadOnlyList<LabHost> Hosts => _hosts;
    public LabHost this[string name] => _hosts.Single(h => h.Name == name);

    LabHost AddHost(int index, string name)
    {
        var host = new LabHost(this, index, name);
        Ip("netns", "add", host.Namespace);
        Ip("link", "add", host.HostVeth, "type", "veth", "peer", "name", "eth0", "netns", host.Namespace);
        Ip("link", "set", host.HostVeth, "master", Bridge, "up");
        Ip("-n", host.Namespace, "addr", "add", host.Address + "/24", "dev", "eth0");
        Ip("-n", host.Namespace, "link", "set", "eth0", "up");
        Ip("-n", host.Namespace, "link", "set", "lo", "up");
        return host;
    }

    static void Ip(params string[] args)
    {
        var r = Gitops.Exec("/usr/sbin/ip", null, null, Timeout, args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {r}");
    }

    public void Dispose()
    {
        foreach (var h in _hosts)
        {
            try { h.StopDaemon(); } catch (Exception) { h.KillDaemon(); }
        }
        // Whatever still runs from a host's root (an etcd left by a killed daemon, containers) or inside its namespace.
        foreach (var pid in LeftoverProcesses(Dir)) Gitops.Exec("/bin/kill", null, null, Timeout, "-KILL", pid.ToString());
        foreach (var h in _hosts)
        {
            var pids = Gitops.Exec("/usr/sbin/ip", null, null, Timeout, "netns", "pids", h.Namespace).Stdout
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var pid in pids) Gitops.Exec("/bin/kill", null, null, Timeout, "-KILL", pid.Trim());
        }
        Thread.Sleep(200);
        foreach (var h in _hosts)
        {
            Gitops.Exec("/usr/sbin/ip", null, null, Timeout, "netns", "del", h.Namespace);
            Gitops.Exec("/usr/sbin/ip", null, null, Timeout, "link", "del", h.HostVeth);
            RemoveCgroups(h.InstanceName);
        }
        Gitops.Exec("/usr/sbin/ip", null, null, Timeout, "link", "del", Bridge);
        Gitops.Exec("/bin/rm", null, null, Timeout, "-rf", Dir);
    }

    /// <summary>Processes whose command line mentions <paramref name="dir"/> (daemons, etcd members of lab hosts).</summary>
    public static IReadOnlyList<int> LeftoverProcesses(string dir)
    {
        var found = new List<int>();
        foreach (var p in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(p), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(p, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(dir, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>The host's cgroup parent under every mounted hierarchy (v1 controllers, or the v2 root), deepest first.</summary>
    static void RemoveCgroups(string instance)
    {
        foreach (var dir in CgroupDirs(instance))
        {
            foreach (var child in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
                try { Directory.Delete(child); } catch (IOException) { }
            try { Directory.Delete(dir); } catch (IOException) { }
        }
    }

    public static IReadOnlyList<string> CgroupDirs(string instance) =>
        [.. new[] { "/sys/fs/cgroup" }.Concat(Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup") : [])
            .Select(d => Path.Combine(d, instance)).Where(Directory.Exists)];

    /// <summary>Namespaces and links whose names start with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<string> LeftoverNetworkObjects(string prefix)
    {
        var netns = Gitops.Exec("/usr/sbin/ip", null, null, Timeout, "netns", "list").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(prefix, StringComparison.Ordinal));
        var links = Gitops.Exec("/usr/sbin/ip", null, null, Timeout, "-o", "link", "show").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim().Split('@')[0]).Where(n => n.StartsWith(prefix, StringComparison.Ordinal));
        return [.. netns, .. links];
    }

    public static Stopwatch Time() => Stopwatch.StartNew();
}
