using GitOps.Cluster;
using GitOps.Cluster.Api;
using GitOps.Cluster.Etcd;
using GitOps.Cluster.Membership;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>The fleet's verbs on the Unix socket API: /cluster/* (as docker swarm) and /nodes/* (as docker node).</summary>
internal static class ClusterEndpoints
{
    public static void Map(WebApplication app, ClusterNode node)
    {
        app.MapPost("/cluster/init", ctx => Handle(ctx, async ct =>
        {
            var req = await ctx.ReadJsonAsync(ClusterApiJson.Default.InitRequest);
            await node.InitAsync(req.AdvertiseAddr, ct);
            await ctx.JsonAsync(await node.JoinTokenAsync("worker", false, ct), ClusterApiJson.Default.JoinTokenView);
        }));
        app.MapGet("/cluster/join-token/{role}", ctx => Handle(ctx, async ct =>
            await ctx.JsonAsync(await node.JoinTokenAsync(ctx.Route("role"), ctx.QueryBool("rotate"), ct), ClusterApiJson.Default.JoinTokenView)));
        app.MapPost("/cluster/join", ctx => Handle(ctx, async ct =>
        {
            var req = await ctx.ReadJsonAsync(ClusterApiJson.Default.JoinClusterRequest);
            // Records take whatever JSON gives, nulls included: a join without a token or a manager is the client's error.
            var missing = new[] { ("Token", req.Token), ("Manager", req.Manager) }.Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => f.Item1).ToList();
            if (missing.Count > 0) throw new Runtime.InvalidArgumentException($"{string.Join(" and ", missing)}: required, expected a join token and a manager address (HOST[:PORT])");
            var state = await node.JoinAsync(req.Token, req.Manager, req.AdvertiseAddr, ct);
            await ctx.JsonAsync(new ClusterMessage($"This node joined a cluster as a {state.Role.Name()}."), ClusterApiJson.Default.ClusterMessage);
        }));
        app.MapPost("/cluster/leave", ctx => Handle(ctx, async ct =>
            await ctx.JsonAsync(new ClusterMessage(await node.LeaveAsync(ctx.QueryBool("force"), ct)), ClusterApiJson.Default.ClusterMessage)));
        app.MapGet("/cluster/status", ctx => Handle(ctx, async ct =>
            await ctx.JsonAsync(await node.StatusAsync(ct), ClusterApiJson.Default.ClusterStatusView)));

        app.MapGet("/nodes", ctx => Handle(ctx, async ct =>
        {
            var self = node.State?.NodeId;
            var list = (await node.ListNodesAsync(ct)).Select(n => n with { Self = n.ID == self }).ToList();
            await ctx.JsonAsync(list, ClusterApiJson.Default.ListNodeView);
        }));
        app.MapGet("/nodes/{id}", ctx => Handle(ctx, async ct =>
        {
            var n = await node.InspectNodeAsync(ctx.Route("id"), ct);
            await ctx.JsonAsync(n with { Self = n.ID == node.State?.NodeId }, ClusterApiJson.Default.NodeView);
        }));
        app.MapPost("/nodes/{id}/update", ctx => Handle(ctx, async ct =>
        {
            var req = await ctx.ReadJsonAsync(ClusterApiJson.Default.NodeUpdateRequest);
            await ctx.JsonAsync(await node.UpdateNodeAsync(ctx.Route("id"), req, ct), ClusterApiJson.Default.NodeView);
        }));
        app.MapPost("/nodes/{id}/promote", ctx => Handle(ctx, async ct =>
            await ctx.JsonAsync(new ClusterMessage(await node.PromoteNodeAsync(ctx.Route("id"), ct)), ClusterApiJson.Default.ClusterMessage)));
        app.MapPost("/nodes/{id}/demote", ctx => Handle(ctx, async ct =>
            await ctx.JsonAsync(new ClusterMessage(await node.DemoteNodeAsync(ctx.Route("id"), ct)), ClusterApiJson.Default.ClusterMessage)));
        app.MapDelete("/nodes/{id}", ctx => Handle(ctx, async ct =>
            await ctx.JsonAsync(new ClusterMessage(await node.RemoveNodeAsync(ctx.Route("id"), ctx.QueryBool("force"), ct)), ClusterApiJson.Default.ClusterMessage)));
    }

    /// <summary>Cluster failures become one-line API errors: refusals with their status, an unreachable store as 503.</summary>
    static async Task Handle(HttpContext ctx, Func<CancellationToken, Task> action)
    {
        try { await action(ctx.RequestAborted); }
        catch (ClusterException e) { await ctx.Error(e.Status, e.Message); }
        catch (RpcException e) when (EtcdConnection.IsUnavailable(e))
        {
            await ctx.Error(503, $"the cluster store cannot answer ({e.Status.Detail}): etcd may have lost quorum; gitops cluster status tells more");
        }
        catch (RpcException e) { await ctx.Error(500, $"etcd: {e.Status.Detail}"); }
    }
}
