using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Fleet;

/// <summary>Three managers and two workers formed through the CLI; node verbs as docker node's.</summary>
[Collection(FleetCollection.Name)]
public sealed class FleetMembershipTests(FleetFixture fleet)
{
    [Fact]
    public void Cluster_status_shows_three_healthy_members_a_leader_and_five_ready_nodes()
    {
        fleet.WaitHealthy();
        var text = fleet.M2.Ok("cluster", "status");
        Assert.Contains("Store:    healthy: etcd has quorum (3 of 3 members reachable)", text);
        Assert.Contains("Nodes:    5 (5 ready)", text);
        Assert.Matches(@"Leader:   m[123]", text);
        foreach (var m in fleet.Managers) Assert.Contains(m.Name, text);
        // A worker sees the members too, and is told to ask a manager for the rest.
        var onWorker = fleet.W1.Ok("cluster", "status");
        Assert.Contains("Node:     w1", onWorker);
        Assert.Contains("worker", onWorker);
    }

    [Fact]
    public void Node_ls_shows_roles_status_and_the_leader_like_docker_node_ls()
    {
        fleet.WaitHealthy();
        var table = fleet.M1.Ok("node", "ls");
        var lines = table.Split('\n');
        Assert.Matches(@"^ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS\s+ENGINE VERSION$", lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.Single(lines, l => l.Contains(" * ") && l.Contains("m1"));
        Assert.Single(lines, l => l.Contains("Leader"));
        Assert.Equal(2, lines.Count(l => l.Contains("Reachable")));
        var nodes = FleetFixture.Nodes(fleet.M1);
        Assert.All(nodes, n => Assert.Equal("Ready", n.Status));
        Assert.Equal(["w1", "w2"], nodes.Where(n => n.Role == "worker").Select(n => n.Hostname).Order());
        Assert.All(nodes, n => Assert.True(n.NanoCPUs >= 1_000_000_000 && n.MemoryBytes > 0, $"{n.Hostname} reports its resources"));
        Assert.Equal(5, fleet.M3.Ok("node", "ls", "-q").Split('\n').Length);
        // Workers are not managers: docker says so the same way.
        var onWorker = fleet.W1.Cli("node", "ls");
        Assert.Equal(1, onWorker.ExitCode);
        Assert.Contains("this node is not a manager", onWorker.Stderr);
    }

    [Fact]
    public void Node_update_sets_labels_availability_and_taints_all_checked_before_writing()
    {
        fleet.WaitHealthy();
        fleet.M1.Ok("node", "update", "--label-add", "zone=a", "--label-add", "ssd", "--availability", "drain", "--taint", "gpu=yes:NoSchedule", "w2");
        Assert.Equal("a Drain [gpu=yes:NoSchedule]", fleet.M2.Ok("node", "inspect", "-f", "{{.Labels.zone}} {{.Availability}} {{.Taints}}", "w2"));
        // One bad value: nothing of the request is written.
        var bad = fleet.M1.Cli("node", "update", "--label-rm", "zone", "--availability", "sleep", "--taint", "x=y:Never", "w2");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("invalid availability \"sleep\": expected active, pause or drain", bad.Stderr);
        Assert.Contains("effect \"Never\" is not one of NoSchedule, PreferNoSchedule, NoExecute", bad.Stderr);
        Assert.Single(bad.Stderr.Trim().Split('\n'));
        Assert.Equal("a", fleet.M1.Ok("node", "inspect", "-f", "{{.Labels.zone}}", "w2"));
        fleet.M1.Ok("node", "update", "--label-rm", "zone", "--label-rm", "ssd", "--availability", "active", "--taint-rm", "gpu", "w2");
        Assert.Equal("Active []", fleet.M1.Ok("node", "inspect", "-f", "{{.Availability}} {{.Taints}}", "w2"));
        var missing = fleet.M1.Cli("node", "inspect", "nosuchnode");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No such node: nosuchnode", missing.Stderr);
    }

    [Fact]
    public void Promote_makes_a_worker_a_voting_etcd_member_and_demote_takes_it_back()
    {
        fleet.WaitHealthy();
        Assert.Equal("Node w1 promoted to a manager in the cluster.", fleet.M1.Ok("node", "promote", "w1"));
        Gitops.Eventually(() => FleetFixture.Status(fleet.M1) is { } s && s.Members.Count == 4 && s.Members.All(m => m.Healthy && !m.IsLearner)
                                && FleetFixture.Nodes(fleet.M1).Single(n => n.Hostname == "w1").ManagerStatus == "Reachable",
            TimeSpan.FromSeconds(180), "w1 to become a reachable manager with a voting etcd member");
        Assert.Equal("manager", fleet.W1.Ok("cluster", "status", "--format", "{{.Role}}"));
        // As a manager it can do what managers do.
        Assert.Equal(5, fleet.W1.Ok("node", "ls", "-q").Split('\n').Length);

        Assert.Equal("Manager w1 demoted in the cluster.", fleet.M2.Ok("node", "demote", "w1"));
        Gitops.Eventually(() => FleetFixture.Status(fleet.M1) is { } s && s.Members.Count == 3 && fleet.W1.Cli("cluster", "status", "--format", "{{.Role}}").Out == "worker",
            TimeSpan.FromSeconds(60), "w1 to be a worker again with its member removed");
        Assert.False(File.Exists(Path.Combine(fleet.W1.Root, "cluster", "ca.key")), "a demoted node keeps no CA key");
        Assert.False(Directory.Exists(Path.Combine(fleet.W1.Root, "etcd")), "a demoted node keeps no etcd data");
        fleet.WaitHealthy();
    }

    [Fact]
    public void A_worker_leaves_shows_down_is_removed_and_joins_again()
    {
        fleet.WaitHealthy();
        var refused = fleet.M1.Cli("node", "rm", "w2");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("node w2 is not down and can't be removed", refused.Stderr);
        var managerLeave = fleet.M3.Cli("cluster", "leave");
        Assert.Equal(1, managerLeave.ExitCode);
        Assert.Contains("this node is a manager", managerLeave.Stderr);

        Assert.Equal("Node left the cluster.", fleet.W2.Ok("cluster", "leave"));
        Assert.False(Directory.Exists(Path.Combine(fleet.W2.Root, "cluster")));
        Gitops.Eventually(() => FleetFixture.Nodes(fleet.M1).Single(n => n.Hostname == "w2").Status == "Down", TimeSpan.FromSeconds(15), "w2 to be down");
        fleet.M1.Ok("node", "rm", "w2");
        Assert.DoesNotContain(FleetFixture.Nodes(fleet.M1), n => n.Hostname == "w2");
        fleet.W2.Ok("cluster", "join", "--token", fleet.WorkerToken, fleet.M2.Address);
        fleet.WaitHealthy();
    }
}
