namespace GitOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A network namespace standing for "another machine": joined to the host by a veth pair on a
/// small private subnet of its own, so tests can reach published ports from outside the host's
/// own addresses and see which source address egress traffic arrives with.
/// </summary>
public sealed class OutsideNamespace : IDisposable
{
    public OutsideNamespace()
    {
        var n = Random.Shared.Next(1, 250);
        Name = $"gtest{Environment.ProcessId % 10000}x{n}";
        HostSide = $"go{Environment.ProcessId % 10000}x{n}";
        HostAddress = $"10.231.{n}.1";
        Address = $"10.231.{n}.2";
        Ip("netns", "add", Name);
        Ip("link", "add", HostSide, "type", "veth", "peer", "name", "eth0", "netns", Name);
        Ip("addr", "add", HostAddress + "/30", "dev", HostSide);
        Ip("link", "set", HostSide, "up");
        Ip("-n", Name, "addr", "add", Address + "/30", "dev", "eth0");
        Ip("-n", Name, "link", "set", "eth0", "up");
        Ip("-n", Name, "link", "set", "lo", "up");
    }

    public string Name { get; }
    public string HostSide { get; }
    /// <summary>The host's address as the namespace sees it.</summary>
    public string HostAddress { get; }
    /// <summary>The namespace's own address.</summary>
    public string Address { get; }

    /// <summary>Runs a command inside the namespace.</summary>
    public CliResult Exec(params string[] command) =>
        Gitops.Exec("/usr/sbin/ip", null, null, DaemonFixture.Timeout, ["netns", "exec", Name, .. command]);

    static void Ip(params string[] args)
    {
        var r = Gitops.Exec("/usr/sbin/ip", null, null, DaemonFixture.Timeout, args);
        Assert.True(r.ExitCode == 0, $"ip {string.Join(' ', args)}: {r}");
    }

    public void Dispose()
    {
        Gitops.Exec("/usr/sbin/ip", null, null, DaemonFixture.Timeout, "link", "del", HostSide);
        Gitops.Exec("/usr/sbin/ip", null, null, DaemonFixture.Timeout, "netns", "del", Name);
    }
}
