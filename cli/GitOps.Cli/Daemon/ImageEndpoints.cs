using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Images;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

internal static class ImageEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        var images = engine.Images;

        app.MapPost("/images/import", async ctx =>
        {
            ImageReference? tag = null;
            if (ctx.Query("repo") is { Length: > 0 } repo)
                tag = ImageReference.Parse(repo + (ctx.Query("tag") is { Length: > 0 } t ? ":" + t : ""));
            var changes = ctx.QueryAll("changes");
            if (ctx.Request.ContentLength == 0) throw new InvalidArgumentException("cannot import: the request body is empty: expected a tar archive");
            ImageRecord record;
            try
            {
                record = await ImageImporter.ImportAsync(images, ctx.Request.Body, tag, ctx.Query("message"), changes, ctx.RequestAborted);
            }
            catch (InvalidDataException e) { throw new InvalidArgumentException($"cannot import: {e.Message}"); }
            catch (FormatException e) { throw new InvalidArgumentException($"cannot import: not a tar archive ({e.Message})"); }
            await ctx.JsonAsync(new IdResponse(record.Id), ApiJson.Default.IdResponse, 201);
        });

        app.MapGet("/images/json", ctx =>
        {
            // Build steps' intermediate images hide behind the images made from them, unless all=1.
            var all = ctx.QueryBool("all");
            var rows = images.List().Where(r => all || images.TagsOf(r.Id).Count > 0 || images.ChildrenOf(r.Id).Count == 0)
                .Select(r => Inspect.ImageRow(r, engine)).ToList();
            return ctx.JsonAsync(rows, ApiJson.Default.ListImageSummary);
        });

        // Image names contain slashes, so NAME/json, NAME/tag and DELETE NAME share one catch-all route.
        app.MapGet("/images/{**rest}", ctx =>
        {
            var rest = ctx.Route("rest");
            if (rest.EndsWith("/history", StringComparison.Ordinal)) return ImageStoreEndpoints.HistoryAsync(ctx, engine, rest[..^8]);
            if (!rest.EndsWith("/json", StringComparison.Ordinal)) throw new NotFoundException("page not found");
            var record = images.Get(rest[..^5]);
            return ctx.JsonAsync(Inspect.Image(record, engine), ApiJson.Default.ImageInspect);
        });

        app.MapPost("/images/{**rest}", ctx =>
        {
            var rest = ctx.Route("rest");
            if (rest.EndsWith("/push", StringComparison.Ordinal)) return ImageStoreEndpoints.PushAsync(ctx, engine, rest[..^5]);
            if (!rest.EndsWith("/tag", StringComparison.Ordinal)) throw new NotFoundException("page not found");
            var repo = ctx.Query("repo") ?? throw new InvalidArgumentException("missing repo");
            images.Tag(rest[..^4], ImageReference.Parse(repo + (ctx.Query("tag") is { Length: > 0 } t ? ":" + t : "")));
            ctx.Response.StatusCode = 201;
            return Task.CompletedTask;
        });

        app.MapDelete("/images/{**rest}", ctx =>
        {
            var lines = images.Remove(ctx.Route("rest"), ctx.QueryBool("force"), engine.Containers.UsingImage);
            var items = lines.Select(l => l.StartsWith("Untagged: ", StringComparison.Ordinal)
                ? new ImageRmItem(Untagged: l[10..]) : new ImageRmItem(Deleted: l[9..])).ToList();
            return ctx.JsonAsync(items, ApiJson.Default.ListImageRmItem);
        });
    }
}
