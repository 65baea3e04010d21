using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Triggers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>POST /hooks: GitHub, GitLab and Gitea push events, verified, start a sync at once.</summary>
/// <remarks>
/// The listener may face the internet, so it spends as little as it can on a delivery it will refuse: headers are
/// checked before the body is read (no signature where a secret is configured: 401 at once), a declared length over
/// <see cref="RequestLimits.Webhook"/> is refused before reading (413), and a body without a length is read only up
/// to the limit — at most 25 MB is ever held, whatever the client sends.
/// </remarks>
internal static class WebhookEndpoints
{
    public static void Map(WebApplication app, ReconcilerHost host, string? secret)
    {
        app.MapPost("/hooks", async ctx =>
        {
            var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            if (WebhookRequest.CheckHeaders(headers, secret) is { } early)
            {
                // Nothing of the body is read: the connection closes instead of draining what the client still sends.
                ctx.Response.Headers.Connection = "close";
                await RejectAsync(ctx, early);
                return;
            }
            var body = await ReadBoundedAsync(ctx, RequestLimits.Webhook);
            if (body is null) { await RequestLimits.TooLargeAsync(ctx, RequestLimits.Webhook); return; }
            if (!WebhookRequest.TryParse(headers, body, secret, out var push, out var error))
            {
                await RejectAsync(ctx, error);
                return;
            }
            if (push is null) { await ctx.Response.WriteAsync("ok\n"); return; }
            var apps = host.OnPush(push);
            ctx.Response.StatusCode = 202;
            await ctx.Response.WriteAsync(apps.Count == 0 ? "no application follows this repository and ref\n" : $"syncing {string.Join(", ", apps)}\n");
        });
    }

    static Task RejectAsync(HttpContext ctx, string error)
    {
        ctx.Response.StatusCode = error.Contains("signature", StringComparison.OrdinalIgnoreCase) || error.Contains("token", StringComparison.OrdinalIgnoreCase) ? 401 : 400;
        return ctx.Response.WriteAsync(error + "\n");
    }

    /// <summary>The body, or null once it passes <paramref name="limit"/> bytes (reading stops there).</summary>
    static async Task<byte[]?> ReadBoundedAsync(HttpContext ctx, long limit)
    {
        var declared = ctx.Request.ContentLength;
        using var buffer = new MemoryStream(declared is { } n && n <= limit ? (int)n : 64 << 10);
        var chunk = new byte[64 << 10];
        while (true)
        {
            var read = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted);
            if (read == 0) return buffer.ToArray();
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
    }
}
