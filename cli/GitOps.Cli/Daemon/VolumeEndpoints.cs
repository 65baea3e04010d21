using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Volumes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>Docker's /volumes API.</summary>
internal static class VolumeEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        var volumes = engine.Volumes;

        app.MapPost("/volumes/create", async ctx =>
        {
            var req = await ctx.ReadJsonAsync(RequestJson.Default.VolumeCreateRequest);
            var v = volumes.Create(req.Name, req.Driver, req.Labels, req.DriverOpts);
            await ctx.JsonAsync(Show(v, volumes), ApiJson.Default.VolumeInspect, 201);
        });

        app.MapGet("/volumes", ctx =>
        {
            var filters = Filters.Parse(ctx.Query("filters"));
            var list = volumes.List().Where(v => Match(v, filters, volumes)).Select(v => Show(v, volumes)).ToList();
            return ctx.JsonAsync(new VolumeListResponse(list, []), ApiJson.Default.VolumeListResponse);
        });

        app.MapGet("/volumes/{name}", ctx =>
            ctx.JsonAsync(Show(volumes.Get(ctx.Route("name")), volumes), ApiJson.Default.VolumeInspect));

        app.MapDelete("/volumes/{name}", ctx =>
        {
            volumes.Remove(ctx.Route("name"), ctx.QueryBool("force"));
            return ctx.NoContent();
        });
    }

    public static VolumeInspect Show(VolumeRecord v, VolumeStore volumes, VolumeUsageData? usage = null) =>
        // Docker's CreatedAt is RFC 3339 to the second.
        new(v.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), v.Driver, v.Labels, volumes.Mountpoint(v.Name), v.Name, v.Options, "local", usage);

    /// <summary>docker volume ls filters: dangling, name, label, driver.</summary>
    static bool Match(VolumeRecord v, Dictionary<string, List<string>> filters, VolumeStore volumes)
    {
        foreach (var (key, values) in filters)
        {
            var ok = key switch
            {
                "dangling" => values.All(x => (x is "true" or "1") == (volumes.UsedBy(v.Name).Count == 0)),
                "name" => values.Any(x => v.Name.Contains(x, StringComparison.Ordinal)),
                "label" => values.All(x => Filters.MatchLabel(v.Labels, x)),
                "driver" => values.Contains(v.Driver),
                _ => throw new InvalidArgumentException($"invalid filter '{key}'"),
            };
            if (!ok) return false;
        }
        return true;
    }
}
