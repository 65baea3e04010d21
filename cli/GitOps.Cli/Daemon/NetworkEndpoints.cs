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
        app.MapGet("/routers/{name}", ctx => ctx.JsonAsync(networks.GetRouter(ctx.Route("name")), ApiJson.Default.RouterConfig));

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
