using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Triggers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>POST /hooks: GitHub, GitLab and Gitea push events, verified, start a sync at once.</summary>
internal static class WebhookEndpoints
{
    public static void Map(WebApplication app, ReconcilerHost host, string? secret)
    {
        app.MapPost("/hooks", async ctx =>
        {
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            if (!WebhookRequest.TryParse(headers, buffer.ToArray(), secret, out var push, out var error))
            {
                ctx.Response.StatusCode = error.Contains("signature", StringComparison.OrdinalIgnoreCase) || error.Contains("token", StringComparison.OrdinalIgnoreCase) ? 401 : 400;
                await ctx.Response.WriteAsync(error + "\n");
                return;
            }
            if (push is null) { await ctx.Response.WriteAsync("ok\n"); return; }
            var apps = host.OnPush(push);
            ctx.Response.StatusCode = 202;
            await ctx.Response.WriteAsync(apps.Count == 0 ? "no application follows this repository and ref\n" : $"syncing {string.Join(", ", apps)}\n");
        });
    }
}
