using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Cli.Output;
using GitOps.Cluster.Api;

namespace GitOps.Cli.Commands;

/// <summary>gitops cluster init|join-token|join|leave|status — docker swarm's verbs for the fleet.</summary>
internal static class ClusterCommands
{
    public static Command Group()
    {
        var group = new Command("cluster", "Manage the cluster (managers and workers on etcd)");
        foreach (var c in new[] { Init(), JoinToken(), Join(), Leave(), Status() }) group.Subcommands.Add(c);
        return group;
    }

    static Command Init()
    {
        var cmd = new Command("init", "Create a cluster with this node as its first manager (cluster CA, first etcd member)");
        var advertise = new Option<string?>("--advertise-addr") { Description = "IPv4 address other nodes reach this one at (default: the address of the default route)" };
        cmd.Options.Add(advertise);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var token = await client.PostJsonAsync("cluster/init", new InitRequest(pr.GetValue(advertise)), ClusterApiJson.Default.InitRequest, ClusterApiJson.Default.JoinTokenView, ct);
            var status = await client.GetJsonAsync("cluster/status", ClusterApiJson.Default.ClusterStatusView, ct);
            Console.WriteLine($"Cluster initialized: current node ({status.NodeID}) is now a manager.");
            Console.WriteLine();
            PrintJoinCommand(token);
            Console.WriteLine("To add a manager to this cluster, run 'gitops cluster join-token manager' and follow the instructions.");
            Console.WriteLine();
            return 0;
        });
        return cmd;
    }

    static void PrintJoinCommand(JoinTokenView token)
    {
        Console.WriteLine($"To add a {token.Role} to this cluster, run the following command:");
        Console.WriteLine();
        Console.WriteLine($"    {token.Command}");
        Console.WriteLine();
    }

    static Command JoinToken()
    {
        var cmd = new Command("join-token", "Manage join tokens");
        var role = new Argument<string>("role") { Description = "worker or manager" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display the token" };
        var rotate = new Option<bool>("--rotate") { Description = "Rotate the join token (the old one stops working)" };
        cmd.Arguments.Add(role); cmd.Options.Add(quiet); cmd.Options.Add(rotate);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var r = pr.GetValue(role)!;
            var token = await client.GetJsonAsync($"cluster/join-token/{Cli.Q(r)}" + (pr.GetValue(rotate) ? "?rotate=1" : ""), ClusterApiJson.Default.JoinTokenView, ct);
            if (pr.GetValue(quiet)) { Console.WriteLine(token.Token); return 0; }
            if (pr.GetValue(rotate)) { Console.WriteLine($"Successfully rotated {token.Role} join token."); Console.WriteLine(); }
            PrintJoinCommand(token);
            return 0;
        });
        return cmd;
    }

    static Command Join()
    {
        var cmd = new Command("join", $"Join a cluster as a worker or a manager (the token says which); the manager's port defaults to {GitOps.Cluster.Membership.ClusterInfo.DefaultJoinPort}");
        var token = new Option<string>("--token") { Description = "Token printed by gitops cluster join-token", Required = true };
        var advertise = new Option<string?>("--advertise-addr") { Description = "IPv4 address other nodes reach this one at (default: the source address towards the manager)" };
        var manager = new Argument<string>("manager") { Description = "MANAGER_ADDR[:PORT]" };
        cmd.Options.Add(token); cmd.Options.Add(advertise); cmd.Arguments.Add(manager);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var req = new JoinClusterRequest(pr.GetValue(token)!, pr.GetValue(manager)!, pr.GetValue(advertise));
            var m = await client.PostJsonAsync("cluster/join", req, ClusterApiJson.Default.JoinClusterRequest, ClusterApiJson.Default.ClusterMessage, ct);
            Console.WriteLine(m.Message);
            return 0;
        });
        return cmd;
    }

    static Command Leave()
    {
        var cmd = new Command("leave", "Leave the cluster (a manager needs --force)");
        var force = new Option<bool>("--force", "-f") { Description = "Leave even as a manager (its etcd member is removed)" };
        cmd.Options.Add(force);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var m = await client.PostAsync("cluster/leave" + (pr.GetValue(force) ? "?force=1" : ""), ClusterApiJson.Default.ClusterMessage, ct);
            Console.WriteLine(m.Message);
            return 0;
        });
        return cmd;
    }

    static Command Status()
    {
        var cmd = new Command("status", "Show the cluster: this node, the leader, the etcd members and their health, whether the store takes writes");
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template ('{{json .}}' for JSON)" };
        cmd.Options.Add(format);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var s = await client.GetJsonAsync("cluster/status", ClusterApiJson.Default.ClusterStatusView, ct);
            if (pr.GetValue(format) is { } f)
            {
                Console.WriteLine(GoTemplate.Parse(f).Execute(JsonNode.Parse(JsonSerializer.Serialize(s, ClusterApiJson.Default.ClusterStatusView))));
                return 0;
            }
            Console.WriteLine($"Cluster:  {s.ClusterID}");
            Console.WriteLine($"Node:     {s.NodeName} ({s.NodeID}), {s.Role}, {s.Address}");
            Console.WriteLine($"Leader:   {(s.Leader is null ? s.Role == "manager" ? "none (no quorum, or an election in progress)" : "(ask a manager)" : s.Leader + (s.IsLeader ? " (this node)" : ""))}");
            Console.WriteLine($"Store:    {s.Message}");
            if (s.Role == "manager") Console.WriteLine($"Nodes:    {s.Nodes} ({s.NodesReady} ready)");
            Console.WriteLine();
            var table = new Table("MEMBER", "NODE", "ENDPOINT", "HEALTH", "ETCD LEADER", "VERSION");
            foreach (var m in s.Members)
                table.Add(m.ID, m.Name, m.Endpoint, m.IsLearner ? "learner" : m.Healthy ? "healthy" : "unhealthy" + (m.Error is null ? "" : $" ({m.Error})"),
                    m.IsLeader ? "*" : "", m.Version ?? "");
            Console.Write(table.ToString());
            return s.Writable ? 0 : 2;
        });
        return cmd;
    }
}
