using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Fleet;

public sealed class LabHarnessTests
{
    [Fact]
    public void A_lab_leaves_nothing_behind_even_an_etcd_whose_daemon_was_killed()
    {
        string prefix, dir;
        IReadOnlyList<string> cgroups;
        using (var lab = new Lab("a", "b"))
        {
            (prefix, dir) = (lab.Prefix, lab.Dir);
            foreach (var h in lab.Hosts) h.StartDaemon();
            lab["a"].Ok("cluster", "init", "--advertise-addr", lab["a"].Address);
            // The hosts reach each other over the bridge, and only there.
            Assert.Equal(0, lab["b"].Exec("/usr/bin/timeout", "3", "/bin/bash", "-c", $"</dev/tcp/{lab["a"].Address}/2377").ExitCode);
            lab["b"].Cut();
            Assert.NotEqual(0, lab["b"].Exec("/usr/bin/timeout", "3", "/bin/bash", "-c", $"</dev/tcp/{lab["a"].Address}/2377").ExitCode);
            lab["b"].Reconnect();
            lab["a"].KillDaemon(); // its etcd member outlives it, by design; Dispose must still find it
            Assert.NotEmpty(Lab.LeftoverProcesses(dir));
            cgroups = [.. lab.Hosts.Select(h => h.InstanceName)];
        }
        Assert.Empty(Lab.LeftoverProcesses(dir));
        Assert.Empty(Lab.LeftoverNetworkObjects(prefix));
        Assert.All(cgroups, c => Assert.Empty(Lab.CgroupDirs(c)));
        Assert.False(Directory.Exists(dir));
    }
}
