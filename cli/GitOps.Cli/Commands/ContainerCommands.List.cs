using System.CommandLine;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Daemon;
using GitOps.Cli.Output;
using GitOps.Runtime.Exec;

namespace GitOps.Cli.Commands;

/// <summary>docker ps and inspect, with Go-template formats and filters.</summary>
internal static partial class ContainerCommands
{
    // ---- ls / inspect ------------------------------------------------------------------------

    static Command List(string name, string[] aliases)
    {
        var cmd = new Command(name, "List containers");
        foreach (var a in aliases) cmd.Aliases.Add(a);
        var all = new Option<bool>("--all", "-a") { Description = "Show all containers (default shows just running)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display container IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter output (name=, id=, status=, label=, ancestor=, exited=, network=, publish=, expose=)" };
        var format = new Option<string?>("--format") { Description = "Format output using a Go template" };
        var last = new Option<int?>("--last", "-n") { Description = "Show n last created containers (includes all states)" };
        var latest = new Option<bool>("--latest", "-l") { Description = "Show the latest created container (includes all states)" };
        foreach (var o in new Option[] { all, quiet, noTrunc, filter, format, last, latest }) cmd.Options.Add(o);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var limit = pr.GetValue(latest) ? 1 : pr.GetValue(last) ?? 0;
            var filters = FiltersJson(pr.GetValue(filter) ?? []);
            var url = $"containers/json?all={(pr.GetValue(all) || limit > 0 ? 1 : 0)}&limit={limit}" + (filters is null ? "" : "&filters=" + Cli.Q(filters));
            var rows = await client.GetJsonAsync(url, ApiJson.Default.ListContainerSummary, ct);
            var trunc = !pr.GetValue(noTrunc);
            if (pr.GetValue(quiet))
            {
                foreach (var r in rows) Console.WriteLine(trunc ? r.Id[..12] : r.Id);
                return 0;
            }
            if (pr.GetValue(format) is { } f)
            {
                PrintFormatted(f, rows.Select(r => ContainerRow(r, trunc)));
                return 0;
            }
            var table = new Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
            foreach (var r in rows)
            {
                var command = trunc && r.Command.Length > 20 ? r.Command[..19] + "…" : r.Command;
                table.Add(trunc ? r.Id[..12] : r.Id, r.Image, $"\"{command}\"", Human.Ago(DateTimeOffset.FromUnixTimeSeconds(r.Created)),
                    r.Status, string.Join(", ", r.Ports.Select(FormatPort)), string.Join(",", r.Names.Select(n => n.TrimStart('/'))));
            }
            Console.Write(table);
            return 0;
        });
        return cmd;
    }

    static string FormatPort(PortSummary p) =>
        p.PublicPort is { } pub ? $"{p.IP ?? "0.0.0.0"}:{pub}->{p.PrivatePort}/{p.Type}" : $"{p.PrivatePort}/{p.Type}";

    static JsonObject ContainerRow(ContainerSummary r, bool trunc) => new()
    {
        ["ID"] = trunc ? r.Id[..12] : r.Id,
        ["Image"] = r.Image,
        ["Command"] = $"\"{r.Command}\"",
        ["CreatedAt"] = DateTimeOffset.FromUnixTimeSeconds(r.Created).ToString("yyyy-MM-dd HH:mm:ss zzz"),
        ["RunningFor"] = Human.Ago(DateTimeOffset.FromUnixTimeSeconds(r.Created)),
        ["Ports"] = string.Join(", ", r.Ports.Select(FormatPort)),
        ["State"] = r.State,
        ["Status"] = r.Status,
        ["Names"] = string.Join(",", r.Names.Select(n => n.TrimStart('/'))),
        ["Labels"] = string.Join(",", r.Labels.Select(kv => $"{kv.Key}={kv.Value}")),
        ["Networks"] = r.NetworkSettings is { } ns ? string.Join(",", ns.Networks.Keys) : "",
    };

    /// <summary>--format with docker's "table" prefix (print a header row).</summary>
    internal static void PrintFormatted(string format, IEnumerable<JsonObject> rows)
    {
        var table = format.StartsWith("table", StringComparison.Ordinal);
        var body = (table ? format[5..].TrimStart() : format).Replace("\\t", "\t").Replace("\\n", "\n");
        var template = GoTemplate.Parse(body);
        if (table)
        {
            var header = System.Text.RegularExpressions.Regex.Replace(body, @"\{\{\s*\.(\w+)\s*\}\}", m => m.Groups[1].Value.ToUpperInvariant());
            Console.WriteLine(header);
        }
        foreach (var r in rows) Console.WriteLine(template.Execute(r));
    }

    internal static string? FiltersJson(IEnumerable<string> filters)
    {
        var map = new Dictionary<string, List<string>>();
        foreach (var f in filters)
        {
            var eq = f.IndexOf('=');
            if (eq <= 0) throw new FormatException($"bad format of filter (expected name=value): {f}");
            var (k, v) = (f[..eq], f[(eq + 1)..]);
            if (!map.TryGetValue(k, out var list)) map[k] = list = [];
            list.Add(v);
        }
        if (map.Count == 0) return null;
        var obj = new JsonObject();
        foreach (var (k, v) in map) obj[k] = new JsonArray(v.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
        return obj.ToJsonString();
    }

    static Command Inspect()
    {
        var cmd = new Command("inspect", "Display detailed information on one or more containers");
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template" };
        var names = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(format); cmd.Arguments.Add(names);
        Cli.Action(cmd, (pr, ct) => InspectAsync(pr, pr.GetValue(names)!, pr.GetValue(format), "container", ct));
        return cmd;
    }

    /// <summary>Inspect of containers, images or either (type "any"): a JSON array, or one template line per object.</summary>
    internal static async Task<int> InspectAsync(ParseResult pr, string[] names, string? format, string type, CancellationToken ct)
    {
        using var client = Cli.Client(pr);
        var docs = new List<JsonElement>();
        var failed = false;
        foreach (var n in names)
        {
            JsonElement? doc = null;
            foreach (var kind in type == "any" ? new[] { "container", "image" } : [type])
            {
                var path = kind switch
                {
                    "container" => $"containers/{Cli.Q(n)}/json",
                    "network" => $"networks/{Cli.Q(n)}",
                    "router" => $"routers/{Cli.Q(n)}",
                    _ => $"images/{n}/json",
                };
                try { doc = await client.GetJsonAsync(path, ApiJson.Default.JsonElement, ct); break; }
                catch (ApiException e) when (e.Status == 404) { }
            }
            if (doc is null)
            {
                Console.Error.WriteLine($"gitops: Error: No such {(type == "any" ? "object" : type)}: {n}");
                failed = true;
                continue;
            }
            docs.Add(doc.Value);
        }
        if (format is not null)
        {
            var template = GoTemplate.Parse(format);
            foreach (var d in docs) Console.WriteLine(template.Execute(JsonNode.Parse(d.GetRawText())));
        }
        else Console.WriteLine(JsonSerializer.Serialize(docs, IndentedJson.Default.ListJsonElement));
        return failed ? 1 : 0;
    }
}
