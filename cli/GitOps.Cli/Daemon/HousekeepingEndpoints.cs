using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Housekeeping;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>Docker's /system/df and the /…/prune endpoints (but /networks/prune, which the network layer owns).</summary>
internal static class HousekeepingEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        var hk = engine.Housekeeping;

        app.MapGet("/system/df", ctx =>
        {
            var df = hk.DiskUsage();
            var images = df.Images.Select(i => new DiskUsageImage(i.Id,
                i.Tags.Select(t => Runtime.Images.ImageReference.Parse(t).Familiar).ToList(),
                i.Created.ToUnixTimeSeconds(), i.Size, i.SharedSize, i.Containers)).ToList();
            var containers = df.Containers.Select(c => new DiskUsageContainer(c.Id, ["/" + c.Name], c.Image, c.Command,
                c.Created.ToUnixTimeSeconds(), c.State, StatusOf(engine, c.Id), c.SizeRw, c.LocalVolumes)).ToList();
            var volumes = df.Volumes.Select(v => VolumeEndpoints.Show(v.Volume, engine.Volumes, new VolumeUsageData(v.Size, v.RefCount))).ToList();
            return ctx.JsonAsync(new DiskUsageResponse(df.LayersSize, df.ImagesReclaimable, images, containers, volumes), ApiJson.Default.DiskUsageResponse);
        });

        app.MapPost("/containers/prune", async ctx =>
        {
            var (deleted, reclaimed) = await hk.PruneContainersAsync(Filter(ctx, []), CancellationToken.None);
            await ctx.JsonAsync(new ContainerPruneResponse(deleted, reclaimed), ApiJson.Default.ContainerPruneResponse);
        });

        app.MapPost("/images/prune", ctx =>
        {
            // Docker: dangling=false means every unused image, not only untagged ones (image prune -a).
            var filters = Filters.Parse(ctx.Query("filters"));
            var all = filters.TryGetValue("dangling", out var d) && d.Any(v => v is "false" or "0");
            var (lines, reclaimed) = hk.PruneImages(all, Filter(filters, ["dangling"]));
            var items = lines.Select(l => l.StartsWith("Untagged: ", StringComparison.Ordinal)
                ? new ImageRmItem(Untagged: l[10..]) : new ImageRmItem(Deleted: l[9..])).ToList();
            return ctx.JsonAsync(new ImagePruneResponse(items, reclaimed), ApiJson.Default.ImagePruneResponse);
        });

        app.MapPost("/volumes/prune", ctx =>
        {
            // Docker (API 1.42+): only anonymous volumes, unless the filter all=true asks for every unused one.
            var filters = Filters.Parse(ctx.Query("filters"));
            var all = filters.TryGetValue("all", out var a) && a.Any(v => v is "true" or "1");
            var (deleted, reclaimed) = hk.PruneVolumes(all, Filter(filters, ["all"]));
            return ctx.JsonAsync(new VolumePruneResponse(deleted, reclaimed), ApiJson.Default.VolumePruneResponse);
        });
    }

    static string StatusOf(Engine engine, string id) =>
        engine.Containers.Find(id) is { } c ? Inspect.StatusText(c.State) : "";

    /// <summary>The prune filters of a request; network prune (NetworkEndpoints) uses them too.</summary>
    internal static PruneFilter Filter(HttpContext ctx, string[] extra) => Filter(Filters.Parse(ctx.Query("filters")), extra);

    /// <summary>until, label and label! (and the endpoint's own keys in <paramref name="extra"/>).</summary>
    static PruneFilter Filter(Dictionary<string, List<string>> filters, string[] extra)
    {
        DateTimeOffset? until = null;
        var labels = new List<string>();
        var notLabels = new List<string>();
        foreach (var (key, values) in filters)
        {
            switch (key)
            {
                case "until":
                    if (values.Count > 1) throw new InvalidArgumentException("more than one until filter specified");
                    until = ContainerEndpoints.ParseTime(values.FirstOrDefault());
                    break;
                case "label": labels.AddRange(values); break;
                case "label!": notLabels.AddRange(values); break;
                default:
                    if (!extra.Contains(key)) throw new InvalidArgumentException($"invalid filter '{key}'");
                    break;
            }
        }
        return new PruneFilter(until, labels, notLabels);
    }
}
