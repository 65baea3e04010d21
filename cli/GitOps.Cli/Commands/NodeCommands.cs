using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Output;
using GitOps.Cluster.Api;

namespace GitOps.Cli.Commands;

/// <summary>gitops node ls|inspect|update|rm|promote|demote, as docker node (run on a manager).</summary>
internal static class NodeCommands
{
    public static Command Group()
    {
        var group = new Command("node", "Manage cluster nodes");
        foreach (var c in new[] { List(), Inspect(), Update(), Remove(), Promote(), Demote() }) group.Subcommands.Add(c);
        return group;
    }

    static Command List()
    {
        var cmd = new Command("ls", "List nodes in the cluster");
        cmd.Aliases.Add("list");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display IDs" };
        var format = new Option<string?>("--format") { Description = "Format output using a Go template" };
        cmd.Options.Add(quiet); cmd.Options.Add(format);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var nodes = await client.GetJsonAsync("nodes", ClusterApiJson.Default.ListNodeView, ct);
            if (pr.GetValue(quiet)) { foreach (var n in nodes) Console.WriteLine(n.ID); return 0; }
            if (pr.GetValue(format) is { } f)
            {
                ContainerCommands.PrintFormatted(f, nodes.Select(n => (JsonObject)JsonNode.Parse(JsonSerializer.Serialize(n, ClusterApiJson.Default.NodeView))!));
                return 0;
            }
            var table = new Table("ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION");
            foreach (var n in nodes) table.Add(n.ID + (n.Self ? " *" : ""), n.Hostname, n.Status, n.Availability, n.ManagerStatus, n.EngineVersion);
            Console.Write(table.ToString());
            return 0;
        });
        return cmd;
    }

    static Command Inspect()
    {
        var cmd = new Command("inspect", "Display detailed information on one or more nodes");
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template" };
        var names = new Argument<string[]>("node") { Arity = ArgumentArity.OneOrMore, Description = "Node ID or name ('self' for this node)" };
        cmd.Options.Add(format); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var ids = new List<string>();
            foreach (var n in pr.GetValue(names)!)
                ids.Add(n == "self" ? (await client.GetJsonAsync("cluster/status", ClusterApiJson.Default.ClusterStatusView, ct)).NodeID : n);
            return await ObjectInspect.RunAsync(client, "node", ids, n => "nodes/" + Cli.Q(n), pr.GetValue(format), ct);
        });
        return cmd;
    }

    static Command Update()
    {
        var cmd = new Command("update", "Update a node: labels, availability, taints");
        var labelAdd = new Option<string[]>("--label-add") { Description = "Add or update a node label (KEY=VALUE)" };
        var labelRm = new Option<string[]>("--label-rm") { Description = "Remove a node label if exists" };
        var availability = new Option<string?>("--availability") { Description = "Availability of the node (active|pause|drain)" };
        var taint = new Option<string[]>("--taint") { Description = "Add or replace a taint (KEY=VALUE:EFFECT, EFFECT NoSchedule|PreferNoSchedule|NoExecute)" };
        var taintRm = new Option<string[]>("--taint-rm") { Description = "Remove a taint (KEY, KEY:EFFECT or KEY=VALUE:EFFECT)" };
        var node = new Argument<string>("node") { Description = "Node ID or name" };
        foreach (var o in new Option[] { labelAdd, labelRm, availability, taint, taintRm }) cmd.Options.Add(o);
        cmd.Arguments.Add(node);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var req = new NodeUpdateRequest
            {
                LabelAdd = pr.GetValue(labelAdd) ?? [], LabelRm = pr.GetValue(labelRm) ?? [], Availability = pr.GetValue(availability),
                TaintAdd = pr.GetValue(taint) ?? [], TaintRm = pr.GetValue(taintRm) ?? [],
            };
            var n = pr.GetValue(node)!;
            await client.PostJsonAsync($"nodes/{Cli.Q(n)}/update", req, ClusterApiJson.Default.NodeUpdateRequest, ClusterApiJson.Default.NodeView, ct);
            Console.WriteLine(n);
            return 0;
        });
        return cmd;
    }

    static Command Remove()
    {
        var cmd = new Command("rm", "Remove one or more nodes from the cluster");
        cmd.Aliases.Add("remove");
        var force = new Option<bool>("--force", "-f") { Description = "Force remove a node that is not down" };
        var names = new Argument<string[]>("node") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(force); cmd.Arguments.Add(names);
        Cli.Action(cmd, (pr, ct) => Each(pr, names, async (client, n) =>
        {
            await client.DeleteAsync($"nodes/{Cli.Q(n)}" + (pr.GetValue(force) ? "?force=1" : ""), ct);
            return n;
        }));
        return cmd;
    }

    static Command Promote()
    {
        var cmd = new Command("promote", "Promote one or more nodes to manager in the cluster");
        var names = new Argument<string[]>("node") { Arity = ArgumentArity.OneOrMore };
        cmd.Arguments.Add(names);
        Cli.Action(cmd, (pr, ct) => Each(pr, names, async (client, n) =>
            (await client.PostAsync($"nodes/{Cli.Q(n)}/promote", ClusterApiJson.Default.ClusterMessage, ct)).Message));
        return cmd;
    }

    static Command Demote()
    {
        var cmd = new Command("demote", "Demote one or more nodes from manager in the cluster");
        var names = new Argument<string[]>("node") { Arity = ArgumentArity.OneOrMore };
        cmd.Arguments.Add(names);
        Cli.Action(cmd, (pr, ct) => Each(pr, names, async (client, n) =>
            (await client.PostAsync($"nodes/{Cli.Q(n)}/demote", ClusterApiJson.Default.ClusterMessage, ct)).Message));
        return cmd;
    }

    /// <summary>One line per node, as docker does; an error for one node does not stop the others.</summary>
    static async Task<int> Each(ParseResult pr, Argument<string[]> names, Func<Client.DaemonClient, string, Task<string>> action)
    {
        using var client = Cli.Client(pr);
        var failed = false;
        foreach (var n in pr.GetValue(names)!)
        {
            try { Console.WriteLine(await action(client, n)); }
            catch (Client.ApiException e)
            {
                Console.Error.WriteLine($"gitops: Error response from daemon: {e.Message}");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }
}
