using System.Diagnostics;
using System.Text;

namespace GitOps.Runtime.Networking;

/// <summary>A published port as nft sees it: host side and container address.</summary>
public sealed record PortRule(string Protocol, string HostIp, int HostPort, string ContainerIp, int ContainerPort);

/// <summary>A router's backend that gets new connections, in proportion to its weight.</summary>
public sealed record RouterBackend(string Ip, int Port, int Weight);

/// <summary>
/// A router as nft sees it: a virtual IP (and optionally a host port) spread over backends. Protocol
/// http is the daemon's listener on the VIP: only its published ports (plain and TLS) need rules.
/// </summary>
public sealed record RouterRule(string Vip, string Protocol, int Port, int? HostPort, IReadOnlyList<RouterBackend> Backends, int? TlsPort = null, int? TlsHostPort = null);

/// <summary>
/// This daemon's nftables table, rendered whole from the network state and applied in one nft
/// transaction (delete the table and add it again), so a reader never sees half a ruleset. Conntrack
/// keeps the NAT of established connections, so replacing rules (weights, backends) never cuts one.
/// One table per daemon instance: two daemons never touch each other's rules.
/// </summary>
public sealed class NftRuleset(string table)
{
    readonly Lock _gate = new();

    public string Table => table;

    public string Render(IReadOnlyList<NetworkConfig> networks, IReadOnlyList<PortRule> ports, IReadOnlyList<RouterRule> routers)
    {
        var sb = new StringBuilder();
        sb.Append($"table ip {table} {{\n");
        var bridges = networks.Select(n => Q(n.Bridge)).ToList();
        sb.Append("  set bridges {\n    type ifname\n");
        if (bridges.Count > 0) sb.Append($"    elements = {{ {string.Join(", ", bridges)} }}\n");
        sb.Append("  }\n");

        // Routers first: a VIP is a local address too, and must not fall into the published ports.
        sb.Append("  chain routers {\n");
        foreach (var r in routers)
        {
            if (r.Protocol == "http")
            {
                // The listener answers on the VIP itself; a published port is DNATed to it, which the
                // kernel then delivers locally (conntrack undoes the DNAT on the way back).
                if (r.HostPort is { } plain) sb.Append($"    fib daddr type local tcp dport {plain} {MarkPublished} dnat ip to {r.Vip}:{r.Port}\n");
                if (r is { TlsHostPort: { } tlsHost, TlsPort: { } tls }) sb.Append($"    fib daddr type local tcp dport {tlsHost} {MarkPublished} dnat ip to {r.Vip}:{tls}\n");
                continue;
            }
            var target = Target(r);
            if (target is null) continue; // no ready backend: nothing answers, new connections are refused
            sb.Append($"    ip daddr {r.Vip} {r.Protocol} dport {r.Port} dnat ip to {target}\n");
            if (r.HostPort is { } hp) sb.Append($"    fib daddr type local {r.Protocol} dport {hp} {MarkPublished} dnat ip to {target}\n");
        }
        sb.Append("  }\n");

        sb.Append("  chain published {\n");
        foreach (var p in ports)
        {
            var match = p.HostIp is "" or "0.0.0.0" ? "" : $"ip daddr {p.HostIp} ";
            sb.Append($"    {match}{p.Protocol} dport {p.HostPort} {MarkPublished} dnat ip to {p.ContainerIp}:{p.ContainerPort}\n");
        }
        sb.Append("  }\n");

        // From other hosts and namespaces (prerouting) and from this host itself (output).
        sb.Append("  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n    jump routers\n    fib daddr type local jump published\n  }\n");
        sb.Append("  chain output {\n    type nat hook output priority -100; policy accept;\n    jump routers\n    fib daddr type local jump published\n  }\n");

        sb.Append("  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var n in networks)
        {
            var br = Q(n.Bridge);
            if (!n.Internal) sb.Append($"    ip saddr {n.Subnet} oifname != {br} masquerade\n"); // egress
            sb.Append($"    oifname {br} ip saddr 127.0.0.0/8 masquerade\n");                 // published ports via 127.0.0.1
            sb.Append($"    oifname {br} ct status dnat ip saddr {n.Subnet} masquerade\n");     // hairpin: a VIP or published port of its own network
        }
        sb.Append("  }\n");

        // Networks cannot reach each other, except through a published port: that is the host's
        // address, and anything that reaches the host reaches it (Docker users rely on this through
        // host.docker.internal). An internal network has no way in or out at all.
        sb.Append("  chain isolation {\n    type filter hook forward priority filter; policy accept;\n");
        foreach (var n in networks.Where(n => n.Internal))
        {
            var br = Q(n.Bridge);
            sb.Append($"    iifname {br} oifname != {br} drop\n    oifname {br} iifname != {br} drop\n");
        }
        sb.Append($"    ct mark and {PublishedMark} == {PublishedMark} accept\n");
        foreach (var n in networks)
        {
            var br = Q(n.Bridge);
            sb.Append($"    iifname {br} oifname @bridges oifname != {br} drop\n");
        }
        sb.Append("  }\n}\n");
        return sb.ToString();
    }

    /// <summary>
    /// numgen random mod TOTAL spread over ranges proportional to the weights: weights 90/10 give
    /// 0-89 to the first backend and 90-99 to the second.
    /// </summary>
    static string? Target(RouterRule r)
    {
        var live = r.Backends.Where(b => b.Weight > 0).ToList();
        if (live.Count == 0) return null;
        if (live.Count == 1) return $"{live[0].Ip}:{live[0].Port}";
        var total = live.Sum(b => b.Weight);
        var start = 0;
        var entries = new List<string>();
        foreach (var b in live)
        {
            var end = start + b.Weight - 1;
            entries.Add($"{(start == end ? start.ToString() : $"{start}-{end}")} : {b.Ip} . {b.Port}");
            start = end + 1;
        }
        return $"numgen random mod {total} map {{ {string.Join(", ", entries)} }}";
    }

    /// <summary>
    /// A connection DNATed to a published port carries this conntrack mark bit (ORed in, so marks
    /// other tools set survive), which lets it cross network isolation in both directions.
    /// </summary>
    const string PublishedMark = "0x00100000";
    const string MarkPublished = "ct mark set ct mark or " + PublishedMark;

    static string Q(string ifname) => "\"" + ifname + "\"";

    public void Apply(string rendered)
    {
        lock (_gate)
            RunNft($"table ip {table}\ndelete table ip {table}\n{rendered}");
    }

    public void Delete()
    {
        lock (_gate) RunNft($"table ip {table}\ndelete table ip {table}\n");
    }

    public static bool Available()
    {
        try { return RunNftQuiet("list tables") == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    static void RunNft(string script)
    {
        var psi = new ProcessStartInfo("nft", "-f -")
        {
            RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi) ?? throw new IOException("cannot run nft");
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new IOException($"nft rejected the ruleset: {err.Trim()}");
    }

    static int RunNftQuiet(string args)
    {
        var psi = new ProcessStartInfo("nft", args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
}
