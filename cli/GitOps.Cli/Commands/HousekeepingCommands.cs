using System.CommandLine;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Output;

namespace GitOps.Cli.Commands;

/// <summary>
/// docker system df, system prune and the prune verb of each object type (network prune lives with
/// the network verbs). Each prune asks first unless --force is given (<see cref="Confirm"/>).
/// </summary>
internal static class HousekeepingCommands
{
    public static Command SystemGroup()
    {
        var group = new Command("system", "Manage gitops: disk usage and pruning");
        group.Subcommands.Add(Df());
        group.Subcommands.Add(SystemPrune());
        return group;
    }

    static Option<bool> Force() => new("--force", "-f") { Description = "Do not prompt for confirmation" };
    public static Option<string[]> Filter() => new("--filter") { Description = "Provide filter values (until=10m, label=KEY[=VALUE], label!=...)" };

    public static string Query(ParseResult pr, Option<string[]> filter, params string[] extra)
    {
        var json = ContainerCommands.FiltersJson((pr.GetValue(filter) ?? []).Concat(extra));
        return json is null ? "" : "?filters=" + Cli.Q(json);
    }

    static void PrintDeleted(string title, IReadOnlyList<string> items)
    {
        if (items.Count == 0) return;
        Console.WriteLine(title);
        foreach (var i in items) Console.WriteLine(i);
        Console.WriteLine();
    }

    static void PrintReclaimed(long bytes) => Console.WriteLine($"Total reclaimed space: {Human.Size(bytes)}");

    // ---- the prune verbs ---------------------------------------------------------------------

    public static Command ContainerPrune()
    {
        var cmd = new Command("prune", "Remove all stopped containers");
        var force = Force(); var filter = Filter();
        cmd.Options.Add(force); cmd.Options.Add(filter);
        Cli.Action(cmd, async (pr, ct) =>
        {
            if (!Confirm.Ask("WARNING! This will remove all stopped containers.", pr.GetValue(force))) return 0;
            using var client = Cli.Client(pr);
            var r = await PruneContainersAsync(client, Query(pr, filter), ct);
            PrintReclaimed(r);
            return 0;
        });
        return cmd;
    }

    static async Task<long> PruneContainersAsync(DaemonClient client, string query, CancellationToken ct)
    {
        var r = await client.PostAsync("containers/prune" + query, ApiJson.Default.ContainerPruneResponse, ct);
        PrintDeleted("Deleted Containers:", r.ContainersDeleted);
        return r.SpaceReclaimed;
    }

    public static Command ImagePrune()
    {
        var cmd = new Command("prune", "Remove unused images (untagged ones; with -a, every image no container uses)");
        var all = new Option<bool>("--all", "-a") { Description = "Remove all unused images, not just dangling ones" };
        var force = Force(); var filter = Filter();
        cmd.Options.Add(all); cmd.Options.Add(force); cmd.Options.Add(filter);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var warning = pr.GetValue(all)
                ? "WARNING! This will remove all images without at least one container associated to them."
                : "WARNING! This will remove all dangling images.";
            if (!Confirm.Ask(warning, pr.GetValue(force))) return 0;
            using var client = Cli.Client(pr);
            PrintReclaimed(await PruneImagesAsync(client, pr, filter, pr.GetValue(all), ct));
            return 0;
        });
        return cmd;
    }

    static async Task<long> PruneImagesAsync(DaemonClient client, ParseResult pr, Option<string[]> filter, bool all, CancellationToken ct)
    {
        var r = await client.PostAsync("images/prune" + Query(pr, filter, all ? ["dangling=false"] : []), ApiJson.Default.ImagePruneResponse, ct);
        PrintDeleted("Deleted Images:", r.ImagesDeleted.Select(i => i.Untagged is not null ? $"untagged: {i.Untagged}" : $"deleted: {i.Deleted}").ToList());
        return r.SpaceReclaimed;
    }

    public static Command VolumePrune()
    {
        var cmd = new Command("prune", "Remove unused anonymous volumes (with -a, unused named volumes too)");
        var all = new Option<bool>("--all", "-a") { Description = "Remove all unused volumes, not just anonymous ones" };
        var force = Force(); var filter = Filter();
        cmd.Options.Add(all); cmd.Options.Add(force); cmd.Options.Add(filter);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var warning = pr.GetValue(all)
                ? "WARNING! This will remove all local volumes not used by at least one container."
                : "WARNING! This will remove anonymous local volumes not used by at least one container.";
            if (!Confirm.Ask(warning, pr.GetValue(force))) return 0;
            using var client = Cli.Client(pr);
            PrintReclaimed(await PruneVolumesAsync(client, pr, filter, pr.GetValue(all), ct));
            return 0;
        });
        return cmd;
    }

    static async Task<long> PruneVolumesAsync(DaemonClient client, ParseResult pr, Option<string[]> filter, bool all, CancellationToken ct)
    {
        var r = await client.PostAsync("volumes/prune" + Query(pr, filter, all ? ["all=true"] : []), ApiJson.Default.VolumePruneResponse, ct);
        PrintDeleted("Deleted Volumes:", r.VolumesDeleted);
        return r.SpaceReclaimed;
    }

    static Command SystemPrune()
    {
        var cmd = new Command("prune", "Remove unused data: stopped containers, unused networks, dangling images (and with --volumes, unused anonymous volumes)");
        var all = new Option<bool>("--all", "-a") { Description = "Remove all unused images not just dangling ones" };
        var volumes = new Option<bool>("--volumes") { Description = "Prune anonymous volumes" };
        var force = Force(); var filter = Filter();
        foreach (var o in new Option[] { all, volumes, force, filter }) cmd.Options.Add(o);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var lines = new List<string> { "all stopped containers", "all networks not used by at least one container" };
            if (pr.GetValue(volumes)) lines.Add("all anonymous volumes not used by at least one container");
            lines.Add(pr.GetValue(all) ? "all images without at least one container associated to them" : "all dangling images");
            var warning = "WARNING! This will remove:\n" + string.Join("\n", lines.Select(l => "  - " + l)) + "\n";
            if (!Confirm.Ask(warning, pr.GetValue(force))) return 0;
            using var client = Cli.Client(pr);
            // Docker's order: containers first (they hold images and volumes), then networks, volumes, images.
            long total = await PruneContainersAsync(client, Query(pr, filter), ct);
            var networks = await client.PostAsync("networks/prune" + Query(pr, filter), ApiJson.Default.PruneNetworksResponse, ct);
            PrintDeleted("Deleted Networks:", networks.NetworksDeleted);
            if (pr.GetValue(volumes)) total += await PruneVolumesAsync(client, pr, filter, false, ct);
            total += await PruneImagesAsync(client, pr, filter, pr.GetValue(all), ct);
            PrintReclaimed(total);
            return 0;
        });
        return cmd;
    }

    // ---- df ----------------------------------------------------------------------------------

    static Command Df()
    {
        var cmd = new Command("df", "Show gitops disk usage (measured on the files)");
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show detailed information on space usage" };
        var format = new Option<string?>("--format") { Description = "Format output using a Go template (.Type .TotalCount .Active .Size .Reclaimable)" };
        cmd.Options.Add(verbose); cmd.Options.Add(format);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var df = await client.GetJsonAsync("system/df", ApiJson.Default.DiskUsageResponse, ct);
            if (pr.GetValue(verbose)) { PrintVerbose(df); return 0; }
            var rows = Summary(df);
            if (pr.GetValue(format) is { } f)
            {
                ContainerCommands.PrintFormatted(f, rows.Select(r => new JsonObject
                {
                    ["Type"] = r.Type, ["TotalCount"] = r.Total, ["Active"] = r.Active, ["Size"] = r.Size, ["Reclaimable"] = r.Reclaimable,
                }));
                return 0;
            }
            var table = new Table("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
            foreach (var r in rows) table.Add(r.Type, r.Total, r.Active, r.Size, r.Reclaimable);
            Console.Write(table);
            return 0;
        });
        return cmd;
    }

    internal sealed record DfRow(string Type, string Total, string Active, string Size, string Reclaimable);

    /// <summary>
    /// The three summary rows. Images: SIZE counts each layer once; RECLAIMABLE is what removing every
    /// image no container uses would free (the daemon works it out per layer). Containers: writable
    /// layers, reclaimable when not running. Volumes: reclaimable when no container uses them.
    /// </summary>
    internal static IReadOnlyList<DfRow> Summary(DiskUsageResponse df)
    {
        static string Reclaim(long reclaimable, long total) =>
            total > 0 ? $"{Human.Size(reclaimable)} ({(long)((double)reclaimable / total * 100)}%)" : Human.Size(reclaimable);
        var running = df.Containers.Where(c => c.State is "running" or "paused" or "restarting").ToList();
        var containersSize = df.Containers.Sum(c => c.SizeRw);
        var volumesSize = df.Volumes.Sum(v => v.UsageData?.Size ?? 0);
        return
        [
            new("Images", df.Images.Count.ToString(), df.Images.Count(i => i.Containers > 0).ToString(), Human.Size(df.LayersSize),
                Reclaim(df.ImagesReclaimable, df.LayersSize)),
            new("Containers", df.Containers.Count.ToString(), running.Count.ToString(), Human.Size(containersSize),
                Reclaim(containersSize - running.Sum(c => c.SizeRw), containersSize)),
            new("Local Volumes", df.Volumes.Count.ToString(), df.Volumes.Count(v => v.UsageData?.RefCount > 0).ToString(), Human.Size(volumesSize),
                Reclaim(df.Volumes.Where(v => v.UsageData?.RefCount == 0).Sum(v => v.UsageData?.Size ?? 0), volumesSize)),
        ];
    }

    static void PrintVerbose(DiskUsageResponse df)
    {
        Console.WriteLine("Images space usage:\n");
        var images = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS");
        foreach (var i in df.Images)
        {
            var created = Human.Ago(DateTimeOffset.FromUnixTimeSeconds(i.Created));
            var sizes = new[] { Human.Size(i.Size), Human.Size(i.SharedSize), Human.Size(i.Size - i.SharedSize), i.Containers.ToString() };
            if (i.RepoTags.Count == 0) images.Add(["<none>", "<none>", i.Id[7..19], created, .. sizes]);
            foreach (var t in i.RepoTags)
            {
                var colon = t.LastIndexOf(':');
                images.Add([t[..colon], t[(colon + 1)..], i.Id[7..19], created, .. sizes]);
            }
        }
        Console.WriteLine(images);
        Console.WriteLine("Containers space usage:\n");
        var containers = new Table("CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES");
        foreach (var c in df.Containers)
        {
            var command = c.Command.Length > 20 ? c.Command[..19] + "…" : c.Command;
            containers.Add(c.Id[..12], c.Image, $"\"{command}\"", c.LocalVolumes.ToString(), Human.Size(c.SizeRw),
                Human.Ago(DateTimeOffset.FromUnixTimeSeconds(c.Created)), c.Status, string.Join(",", c.Names.Select(n => n.TrimStart('/'))));
        }
        Console.WriteLine(containers);
        Console.WriteLine("Local Volumes space usage:\n");
        var volumes = new Table("VOLUME NAME", "LINKS", "SIZE");
        foreach (var v in df.Volumes) volumes.Add(v.Name, (v.UsageData?.RefCount ?? 0).ToString(), Human.Size(v.UsageData?.Size ?? 0));
        Console.Write(volumes);
    }
}
