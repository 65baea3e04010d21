using System.Text.Json;
using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Networking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

internal static class NetworkEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        var networks = engine.Networks;

        app.MapPost("/networks/create", async ctx =>
        {
            var req = await ctx.ReadJsonAsync(RequestJson.Default.NetworkCreate);
            var cfg = networks.Create(req);
            await ctx.JsonAsync(new IdResponse(cfg.Id, []), ApiJson.Default.IdResponse, 201);
        });

        app.MapGet("/networks", ctx =>
        {
            var list = networks.List().Select(n => Inspect(n, engine)).ToList();
            // Docker lists the predefined host and none networks too; they have no bridge behind them.
            list.Add(Pseudo("host", "host"));
            list.Add(Pseudo("none", "null"));
            return ctx.JsonAsync(list, ApiJson.Default.ListNetworkInspect);
        });

        app.MapGet("/networks/{id}", ctx =>
        {
            var id = ctx.Route("id");
            if (id is "host" or "none") return ctx.JsonAsync(Pseudo(id, id == "host" ? "host" : "null"), ApiJson.Default.NetworkInspect);
            return ctx.JsonAsync(Inspect(networks.Get(id), engine), ApiJson.Default.NetworkInspect);
        });

        app.MapDelete("/networks/{id}", ctx =>
        {
            var id = ctx.Route("id");
            if (id is "host" or "none") throw new ConflictException($"{id} is a pre-defined network and cannot be removed");
            networks.Remove(id);
            return ctx.NoContent();
        });

        app.MapPost("/networks/prune", ctx =>
            ctx.JsonAsync(new PruneNetworksResponse(networks.Prune(HousekeepingEndpoints.Filter(ctx, []))), ApiJson.Default.PruneNetworksResponse));

        app.MapPost("/networks/{id}/connect", async ctx =>
        {
            var req = await ctx.ReadJsonAsync(RequestJson.Default.NetworkConnectRequest);
            await engine.Containers.ConnectAsync(req.Container, ctx.Route("id"), req.EndpointConfig);
            await ctx.NoContent();
        });

        app.MapPost("/networks/{id}/disconnect", async ctx =>
        {
            var req = await ctx.ReadJsonAsync(RequestJson.Default.NetworkConnectRequest);
            await engine.Containers.DisconnectAsync(req.Container, ctx.Route("id"));
            await ctx.NoContent();
        });

        app.MapPost("/routers", async ctx =>
        {
            var req = await ctx.ReadJsonAsync(RequestJson.Default.RouterCreate);
            await ctx.JsonAsync(networks.CreateRouter(req), ApiJson.Default.RouterConfig, 201);
        });

        app.MapGet("/routers", ctx => ctx.JsonAsync(networks.ListRouters().ToList(), ApiJson.Default.ListRouterConfig));
        // inspect: the router, and for an http router its requests per version over the last minute (or ?window=).
        app.MapGet("/routers/{name}", ctx =>
        {
            var r = networks.GetRouter(ctx.Route("name"));
            if (!r.IsHttp) return ctx.JsonAsync(r, ApiJson.Default.RouterConfig);
            var doc = JsonSerializer.SerializeToNode(r, ApiJson.Default.RouterConfig)!.AsObject();
            doc["Metrics"] = JsonSerializer.SerializeToNode(networks.RouterMetrics(r.Name, Window(ctx)), ApiJson.Default.RouterMetricsReport);
            return ctx.JsonAsync(doc, ApiJson.Default.JsonObject);
        });

        app.MapGet("/routers/{name}/metrics", ctx =>
            ctx.JsonAsync(networks.RouterMetrics(ctx.Route("name"), Window(ctx)), ApiJson.Default.RouterMetricsReport));

        app.MapPost("/routers/{name}/weights", async ctx =>
        {
            var weights = await ctx.ReadJsonAsync(RequestJson.Default.DictionaryStringInt32);
            await ctx.JsonAsync(networks.SetWeights(ctx.Route("name"), weights), ApiJson.Default.RouterConfig);
        });

        app.MapPut("/routers/{name}/http", async ctx =>
        {
            var settings = await ctx.ReadJsonAsync(RequestJson.Default.HttpRouterSettings);
            await ctx.JsonAsync(networks.SetHttpSettings(ctx.Route("name"), settings), ApiJson.Default.RouterConfig);
        });

        // Takes a backend out and answers once its connections (or requests) are over or the timeout passed.
        app.MapPost("/routers/{name}/drain", async ctx =>
        {
            var req = await ctx.ReadJsonAsync(RequestJson.Default.DrainRequest);
            if (req.TimeoutSeconds is < 0 or > 3600) throw new InvalidArgumentException($"invalid drain timeout {req.TimeoutSeconds}s: expected 0-3600");
            var result = await networks.DrainBackendAsync(ctx.Route("name"), req.Container, TimeSpan.FromSeconds(req.TimeoutSeconds), ctx.RequestAborted);
            await ctx.JsonAsync(result, ApiJson.Default.DrainResult);
        });

        app.MapPut("/routers/{name}/backends", async ctx =>
        {
            var backends = await ctx.ReadJsonAsync(RequestJson.Default.ListRouterBackendConfig);
            await ctx.JsonAsync(networks.SetBackends(ctx.Route("name"), backends), ApiJson.Default.RouterConfig);
        });

        app.MapDelete("/routers/{name}", ctx =>
        {
            networks.RemoveRouter(ctx.Route("name"));
            return ctx.NoContent();
        });
    }

    /// <summary>?window=30s|5m|… (Go durations), one minute when absent.</summary>
    static TimeSpan Window(HttpContext ctx) =>
        ctx.Query("window") is not { } w ? TimeSpan.FromMinutes(1)
        : Reconciler.Values.GoDuration.TryParse(w, out var d) && d > TimeSpan.Zero ? d
        : throw new InvalidArgumentException($"invalid window \"{w}\": expected a duration such as 30s or 5m");

    static NetworkInspect Inspect(NetworkConfig n, Engine engine)
    {
        var containers = new Dictionary<string, NetworkContainer>();
        foreach (var c in engine.Containers.All())
        {
            if (engine.Networks.Settings(c.Id) is not { } s) continue;
            foreach (var e in s.Endpoints.Where(e => e.NetworkId == n.Id))
                containers[c.Id] = new NetworkContainer(c.Name, e.EndpointId, e.MacAddress, $"{e.IPAddress}/{e.PrefixLen}");
        }
        return new NetworkInspect
        {
            Name = n.Name, Id = n.Id, Created = n.Created.UtcDateTime, Internal = n.Internal,
            IPAM = new IpamInspect("default", [new IpamConfig(n.Subnet, n.Gateway)]),
            Containers = containers,
            Options = new Dictionary<string, string> { ["com.docker.network.bridge.name"] = n.Bridge },
            Labels = n.Labels,
        };
    }

    static NetworkInspect Pseudo(string name, string driver) => new()
    {
        Name = name, Id = name, Driver = driver, IPAM = new IpamInspect("default", []),
    };
}
