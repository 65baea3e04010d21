using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Fleet;

/// <summary>What a worker's own credentials reach in etcd, and joins that must be refused without leaving anything behind.</summary>
[Collection(FleetCollection.Name)]
public sealed class FleetSecurityTests(FleetFixture fleet)
{
    /// <summary>etcdctl (an independent client) inside the worker's namespace, with the worker's own certificate.</summary>
    static CliResult Etcdctl(FleetFixture fleet, LabHost host, params string[] args)
    {
        var dir = Path.Combine(host.Root, "cluster");
        return host.Exec(["/usr/bin/etcdctl", "--endpoints", $"https://{fleet.M1.Address}:2379", "--cacert", Path.Combine(dir, "ca.crt"),
            "--cert", Path.Combine(dir, "node.crt"), "--key", Path.Combine(dir, "node.key"), "--command-timeout", "5s", .. args]);
    }

    [Fact]
    public void A_worker_is_refused_another_nodes_keys_and_secrets_not_granted_to_it()
    {
        fleet.WaitHealthy();
        var nodes = FleetFixture.Nodes(fleet.M1);
        var w1 = nodes.Single(n => n.Hostname == "w1").ID;
        var w2 = nodes.Single(n => n.Hostname == "w2").ID;

        // Its own record and assignments: allowed (empty is fine, refused is not).
        var own = Etcdctl(fleet, fleet.W1, "get", $"/gitops/v1/nodes/{w1}", "--print-value-only");
        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.Contains("\"name\":\"w1\"", own.Stdout);
        Assert.Equal(0, Etcdctl(fleet, fleet.W1, "get", "--prefix", $"/gitops/v1/tasks/{w1}/").ExitCode);

        foreach (var denied in new[]
                 {
                     new[] { "get", $"/gitops/v1/nodes/{w2}" },
                     ["get", "--prefix", $"/gitops/v1/tasks/{w2}/"],
                     ["put", $"/gitops/v1/status/{w2}/t1", "forged"],
                     ["put", $"/gitops/v1/tasks/{w1}/t1", "self-assigned"],
                     ["get", "/gitops/v1/secrets/shop/db-password"],
                     ["get", "--prefix", "/gitops/v1/secrets/"],
                     ["get", "/gitops/v1/cluster/tokens/manager"],
                     ["get", "--prefix", "/gitops/v1/"],
                 })
        {
            var r = Etcdctl(fleet, fleet.W1, denied);
            Assert.True(r.ExitCode != 0 && r.Stderr.Contains("permission denied"), $"etcdctl {string.Join(' ', denied)} as w1: {r}");
        }
    }

    [Fact]
    public void Joins_with_a_rotated_token_another_clusters_token_a_taken_name_or_on_a_member_are_refused_in_one_line()
    {
        fleet.WaitHealthy();
        var spare = fleet.Spare;
        if (spare.Daemon is null) spare.StartDaemon();
        int Members() => FleetFixture.Status(fleet.M1)!.Members.Count;
        var before = Members();

        // Rotated token.
        var old = fleet.M1.Ok("cluster", "join-token", "-q", "manager");
        var rotated = fleet.M1.Ok("cluster", "join-token", "--rotate", "-q", "manager");
        Assert.NotEqual(old, rotated);
        AssertRefused(spare.Cli("cluster", "join", "--token", old, fleet.M1.Address), "invalid join token: it matches neither");

        // A token of another cluster: its CA digest is not this manager's.
        var foreign = "GITOPS1-" + new string('a', 52) + rotated[^33..];
        AssertRefused(spare.Cli("cluster", "join", "--token", foreign, fleet.M1.Address), "belongs to another cluster than this join token");

        // Damaged token, unreachable manager.
        AssertRefused(spare.Cli("cluster", "join", "--token", "SWMTKN-1-abc", fleet.M1.Address), "invalid join token");

        // A taken name: the spare's daemon calls itself w1.
        spare.StopDaemon();
        spare.StartDaemon("w1");
        AssertRefused(spare.Cli("cluster", "join", "--token", rotated, fleet.M2.Address), "node name \"w1\" is already taken");
        spare.StopDaemon();
        spare.StartDaemon("x1");

        Assert.Equal(before, Members());
        Assert.False(Directory.Exists(Path.Combine(spare.Root, "cluster")), "a refused join leaves no files");
        Assert.False(Directory.Exists(Path.Combine(spare.Root, "etcd")), "a refused join leaves no etcd data");
        Assert.Equal(5, FleetFixture.Nodes(fleet.M1).Count);

        // init or join on a member.
        AssertRefused(fleet.M2.Cli("cluster", "init", "--advertise-addr", fleet.M2.Address), "this node is already part of a cluster");
        AssertRefused(fleet.W1.Cli("cluster", "join", "--token", rotated, fleet.M1.Address), "this node is already part of a cluster");
        fleet.WaitHealthy();
    }

    static void AssertRefused(CliResult r, string message)
    {
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains(message, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
