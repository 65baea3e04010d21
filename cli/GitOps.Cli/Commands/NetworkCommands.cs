using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Output;
using GitOps.Runtime.Networking;

namespace GitOps.Cli.Commands;

/// <summary>docker network's verbs, docker port, and the service routers.</summary>
internal static class NetworkCommands
{
    public static Command Group()
    {
        var group = new Command("network", "Manage networks");
        foreach (var c in new[] { Create(), List(), Inspect(), Remove(), Prune(), Connect(), Disconnect() }) group.Subcommands.Add(c);
        return group;
    }

    static Command Create()
    {
        var cmd = new Command("create", "Create a bridge network (containers on it resolve each other by name)");
        var driver = new Option<string>("--driver", "-d") { Description = "Driver (bridge)", DefaultValueFactory = _ => "bridge" };
        var subnet = new Option<string?>("--subnet") { Description = "Subnet in CIDR format, e.g. 172.30.0.0/16" };
        var gateway = new Option<string?>("--gateway") { Description = "IPv4 gateway of the subnet" };
        var @internal = new Option<bool>("--internal") { Description = "Restrict external access to the network" };
        var label = new Option<string[]>("--label") { Description = "Set metadata on a network" };
        var name = new Argument<string>("name");
        foreach (var o in new Option[] { driver, subnet, gateway, @internal, label }) cmd.Options.Add(o);
        cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var req = new NetworkCreate
            {
                Name = pr.GetValue(name)!, Driver = pr.GetValue(driver), Subnet = pr.GetValue(subnet), Gateway = pr.GetValue(gateway),
                Internal = pr.GetValue(@internal), Labels = Labels(pr.GetValue(label)),
            };
            var r = await client.PostJsonAsync("networks/create", req, ApiJson.Default.NetworkCreate, ApiJson.Default.IdResponse, ct);
            Console.WriteLine(r.Id);
            return 0;
        });
        return cmd;
    }

    static Dictionary<string, string> Labels(string[]? labels) =>
        (labels ?? []).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

    static Command List()
    {
        var cmd = new Command("ls", "List networks");
        cmd.Aliases.Add("list");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display network IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Do not truncate the output" };
        var format = new Option<string?>("--format") { Description = "Format output using a Go template" };
        cmd.Options.Add(quiet); cmd.Options.Add(noTrunc); cmd.Options.Add(format);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var list = await client.GetJsonAsync("networks", ApiJson.Default.ListNetworkInspect, ct);
            string Id(string id) => pr.GetValue(noTrunc) || id.Length < 12 ? id : id[..12];
            if (pr.GetValue(quiet)) { foreach (var n in list) Console.WriteLine(Id(n.Id)); return 0; }
            if (pr.GetValue(format) is { } f)
            {
                ContainerCommands.PrintFormatted(f, list.Select(n => new JsonObject
                {
                    ["ID"] = Id(n.Id), ["Name"] = n.Name, ["Driver"] = n.Driver, ["Scope"] = n.Scope,
                    ["Subnet"] = n.IPAM.Config.FirstOrDefault()?.Subnet ?? "", ["Internal"] = n.Internal.ToString().ToLowerInvariant(),
                }));
                return 0;
            }
            var t = new Table("NETWORK ID", "NAME", "DRIVER", "SCOPE");
            foreach (var n in list) t.Add(Id(n.Id), n.Name, n.Driver, n.Scope);
            Console.Write(t);
            return 0;
        });
        return cmd;
    }

    static Command Inspect()
    {
        var cmd = new Command("inspect", "Display detailed information on one or more networks");
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template" };
        var names = new Argument<string[]>("network") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(format); cmd.Arguments.Add(names);
        Cli.Action(cmd, (pr, ct) => ContainerCommands.InspectAsync(pr, pr.GetValue(names)!, pr.GetValue(format), "network", ct));
        return cmd;
    }

    static Command Remove()
    {
        var cmd = new Command("rm", "Remove one or more networks");
        cmd.Aliases.Add("remove");
        var names = new Argument<string[]>("network") { Arity = ArgumentArity.OneOrMore };
        cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var failed = false;
            foreach (var n in pr.GetValue(names)!)
            {
                try { await client.DeleteAsync($"networks/{Cli.Q(n)}", ct); Console.WriteLine(n); }
                catch (ApiException e) { Console.Error.WriteLine($"gitops: Error response from daemon: {e.Message}"); failed = true; }
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }

    static Command Prune()
    {
        var cmd = new Command("prune", "Remove all unused networks");
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var filter = HousekeepingCommands.Filter();
        cmd.Options.Add(force); cmd.Options.Add(filter);
        Cli.Action(cmd, async (pr, ct) =>
        {
            if (!Confirm.Ask("WARNING! This will remove all custom networks not used by at least one container.", pr.GetValue(force))) return 0;
            using var client = Cli.Client(pr);
            var r = await client.PostAsync("networks/prune" + HousekeepingCommands.Query(pr, filter), ApiJson.Default.PruneNetworksResponse, ct);
            if (r.NetworksDeleted.Count > 0)
            {
                Console.WriteLine("Deleted Networks:");
                foreach (var n in r.NetworksDeleted) Console.WriteLine(n);
            }
            return 0;
        });
        return cmd;
    }

    static Command Connect()
    {
        var cmd = new Command("connect", "Connect a container to a network");
        var alias = new Option<string[]>("--alias") { Description = "Add network-scoped alias for the container" };
        var ip = new Option<string?>("--ip") { Description = "IPv4 address" };
        var network = new Argument<string>("network");
        var container = new Argument<string>("container");
        cmd.Options.Add(alias); cmd.Options.Add(ip); cmd.Arguments.Add(network); cmd.Arguments.Add(container);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var req = new NetworkConnectRequest
            {
                Container = pr.GetValue(container)!,
                EndpointConfig = new EndpointRequest { Aliases = pr.GetValue(alias) ?? [], IPv4Address = pr.GetValue(ip) },
            };
            using var _ = await client.SendAsync(HttpMethod.Post, $"networks/{Cli.Q(pr.GetValue(network)!)}/connect", JsonContent.Create(req, ApiJson.Default.NetworkConnectRequest), ct: ct);
            return 0;
        });
        return cmd;
    }

    static Command Disconnect()
    {
        var cmd = new Command("disconnect", "Disconnect a container from a network");
        var force = new Option<bool>("--force", "-f") { Description = "Force the container to disconnect from a network" };
        var network = new Argument<string>("network");
        var container = new Argument<string>("container");
        cmd.Options.Add(force); cmd.Arguments.Add(network); cmd.Arguments.Add(container);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var req = new NetworkConnectRequest { Container = pr.GetValue(container)!, Force = pr.GetValue(force) };
            using var _ = await client.SendAsync(HttpMethod.Post, $"networks/{Cli.Q(pr.GetValue(network)!)}/disconnect", JsonContent.Create(req, ApiJson.Default.NetworkConnectRequest), ct: ct);
            return 0;
        });
        return cmd;
    }

    /// <summary>docker port: the host side of each published port.</summary>
    public static Command Port()
    {
        var cmd = new Command("port", "List port mappings or a specific mapping for the container");
        var name = new Argument<string>("container");
        var port = new Argument<string?>("private-port") { Arity = ArgumentArity.ZeroOrOne, Description = "PORT[/PROTO]" };
        cmd.Arguments.Add(name); cmd.Arguments.Add(port);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var c = await client.GetJsonAsync($"containers/{Cli.Q(pr.GetValue(name)!)}/json", ApiJson.Default.ContainerInspect, ct);
            var filter = pr.GetValue(port) is { } p ? (p.Contains('/') ? p : p + "/tcp") : null;
            var any = false;
            foreach (var (key, bindings) in c.NetworkSettings.Ports.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (bindings is null || (filter is not null && key != filter)) continue;
                foreach (var b in bindings)
                {
                    Console.WriteLine(filter is null ? $"{key} -> {b.HostIp}:{b.HostPort}" : $"{b.HostIp}:{b.HostPort}");
                    any = true;
                }
            }
            if (!any && filter is not null) throw new CliException($"No public port '{filter}' published for {pr.GetValue(name)}");
            return 0;
        });
        return cmd;
    }

    public static Command Router() => RouterCommands.Group();
}
