using System.CommandLine;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Client;

namespace GitOps.Cli.Commands;

/// <summary>docker volume's verbs.</summary>
internal static class VolumeCommands
{
    public static Command Group()
    {
        var group = new Command("volume", "Manage volumes");
        foreach (var c in new[] { Create(), List(), Inspect(), Remove(), HousekeepingCommands.VolumePrune() }) group.Subcommands.Add(c);
        return group;
    }

    static Command Create()
    {
        var cmd = new Command("create", "Create a volume");
        var driver = new Option<string>("--driver", "-d") { Description = "Specify volume driver name (only local)", DefaultValueFactory = _ => "local" };
        var label = new Option<string[]>("--label") { Description = "Set metadata for a volume" };
        var opt = new Option<string[]>("--opt", "-o") { Description = "Set driver specific options: type=tmpfs|none|FSTYPE, device=..., o=mount options" };
        var name = new Argument<string?>("volume") { Arity = ArgumentArity.ZeroOrOne, Description = "Volume name (random when not given)" };
        foreach (var o in new Option[] { driver, label, opt }) cmd.Options.Add(o);
        cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var req = new VolumeCreateRequest
            {
                Name = pr.GetValue(name),
                Driver = pr.GetValue(driver),
                Labels = Pairs(pr.GetValue(label)),
                DriverOpts = Pairs(pr.GetValue(opt)),
            };
            var v = await client.PostJsonAsync("volumes/create", req, ApiJson.Default.VolumeCreateRequest, ApiJson.Default.VolumeInspect, ct);
            Console.WriteLine(v.Name);
            return 0;
        });
        return cmd;
    }

    /// <summary>KEY=VALUE (or KEY) flags as a map.</summary>
    internal static Dictionary<string, string> Pairs(string[]? values)
    {
        var map = new Dictionary<string, string>();
        foreach (var v in values ?? [])
        {
            var eq = v.IndexOf('=');
            map[eq < 0 ? v : v[..eq]] = eq < 0 ? "" : v[(eq + 1)..];
        }
        return map;
    }

    static Command List()
    {
        var cmd = new Command("ls", "List volumes");
        cmd.Aliases.Add("list");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display volume names" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Provide filter values (dangling=true, name=, label=, driver=)" };
        var format = new Option<string?>("--format") { Description = "Format output using a Go template" };
        foreach (var o in new Option[] { quiet, filter, format }) cmd.Options.Add(o);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var filters = ContainerCommands.FiltersJson(pr.GetValue(filter) ?? []);
            var list = await client.GetJsonAsync("volumes" + (filters is null ? "" : "?filters=" + Cli.Q(filters)), ApiJson.Default.VolumeListResponse, ct);
            if (pr.GetValue(quiet))
            {
                foreach (var v in list.Volumes) Console.WriteLine(v.Name);
                return 0;
            }
            if (pr.GetValue(format) is { } f)
            {
                ContainerCommands.PrintFormatted(f, list.Volumes.Select(v => new JsonObject
                {
                    ["Name"] = v.Name, ["Driver"] = v.Driver, ["Mountpoint"] = v.Mountpoint, ["Scope"] = v.Scope,
                    ["Labels"] = string.Join(",", v.Labels.Select(kv => $"{kv.Key}={kv.Value}")),
                    ["CreatedAt"] = v.CreatedAt,
                }));
                return 0;
            }
            var table = new Output.Table("DRIVER", "VOLUME NAME");
            foreach (var v in list.Volumes) table.Add(v.Driver, v.Name);
            Console.Write(table);
            return 0;
        });
        return cmd;
    }

    static Command Inspect()
    {
        var cmd = new Command("inspect", "Display detailed information on one or more volumes");
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template" };
        var names = new Argument<string[]>("volume") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(format); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            return await ObjectInspect.RunAsync(client, "volume", pr.GetValue(names)!, n => $"volumes/{Cli.Q(n)}", pr.GetValue(format), ct);
        });
        return cmd;
    }

    static Command Remove()
    {
        var cmd = new Command("rm", "Remove one or more volumes (refused while a container, running or stopped, uses it)");
        cmd.Aliases.Add("remove");
        var force = new Option<bool>("--force", "-f") { Description = "Do not fail for volumes that do not exist" };
        var names = new Argument<string[]>("volume") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(force); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var failed = false;
            foreach (var n in pr.GetValue(names)!)
            {
                try
                {
                    await client.DeleteAsync($"volumes/{Cli.Q(n)}?force={(pr.GetValue(force) ? 1 : 0)}", ct);
                    Console.WriteLine(n);
                }
                catch (ApiException e) { Console.Error.WriteLine($"gitops: Error response from daemon: {e.Message}"); failed = true; }
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }
}
