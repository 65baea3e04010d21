using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Images;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>history, save (GET /images/get), load, push. Image prune is a housekeeping endpoint.</summary>
internal static class ImageStoreEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        // docker save: GET /images/get?names=a&names=b, a tar stream.
        app.MapGet("/images/get", async ctx =>
        {
            var names = ctx.QueryAll("names");
            if (names.Count == 0) throw new InvalidArgumentException("names is required");
            foreach (var n in names) engine.Images.Get(n); // 404 before the stream starts
            ctx.Response.ContentType = "application/x-tar";
            await ctx.Response.StartAsync(ctx.RequestAborted);
            await Task.Run(() => new ImageArchive(engine.Images).Save(names, ctx.Response.Body), ctx.RequestAborted);
        });

        app.MapPost("/images/load", async ctx =>
        {
            var dir = Path.Combine(engine.Paths.Tmp, "load-" + Ids.New()[..16]);
            try
            {
                try
                {
                    await using var tar = ImageStore.OpenDecompressed(ctx.Request.Body);
                    await Task.Run(() => TarUnpacker.Unpack(tar, dir), ctx.RequestAborted);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException)
                {
                    throw new InvalidArgumentException($"not a tar archive: {e.Message}");
                }
                await ProgressStreaming.RunAsync(ctx, async (progress, ct) => { await new ImageArchive(engine.Images).LoadAsync(dir, progress, ct); });
            }
            finally { ImageStore.DeleteTree(dir); }
        });
    }

    /// <summary>docker history: the config's history, newest first, with the layer sizes and the build's intermediate IDs.</summary>
    public static Task HistoryAsync(HttpContext ctx, Engine engine, string name)
    {
        var store = engine.Images;
        var image = store.Get(name);
        var config = store.GetConfig(image.Id);
        var history = config.History ?? [];
        var diffIds = config.RootFs.DiffIds;
        var rows = new List<HistoryItem>();
        var layer = 0;
        var byLayers = store.List().Select(i => (i, store.TryGetConfig(i.Id))).Where(x => x.Item2 is not null).ToList();
        for (var i = 0; i < history.Count; i++)
        {
            var h = history[i];
            long size = 0;
            if (h.EmptyLayer != true && layer < diffIds.Count)
            {
                size = store.GetLayer(diffIds[layer])?.Size ?? 0;
                layer++;
            }
            string id = "<missing>";
            if (i == history.Count - 1) id = image.Id;
            else if (h.EmptyLayer != true)
            {
                // A build's intermediate image for this step, if the store still has it.
                var prefix = diffIds.Take(layer).ToList();
                var match = byLayers.FirstOrDefault(x => x.Item2!.RootFs.DiffIds.SequenceEqual(prefix) && x.i.BuildKey is not null);
                if (match.i is not null) id = match.i.Id;
            }
            rows.Add(new HistoryItem(id, (h.Created ?? DateTimeOffset.UnixEpoch).ToUnixTimeSeconds(), h.CreatedBy ?? "",
                id == "<missing>" ? null : store.TagsOf(id).Select(t => ImageReference.Parse(t).Familiar).ToList(), size, h.Comment ?? ""));
        }
        // Imported images without history still have layers to show.
        if (history.Count == 0)
            rows.Add(new HistoryItem(image.Id, image.Created.ToUnixTimeSeconds(), "", null, image.Size, ""));
        rows.Reverse();
        return ctx.JsonAsync(rows, ApiJson.Default.ListHistoryItem);
    }

    public static Task PushAsync(HttpContext ctx, Engine engine, string name)
    {
        var tag = ctx.Query("tag");
        var reference = ImageReference.Parse(tag is { Length: > 0 } ? $"{name}:{tag}" : name);
        engine.Images.Get(reference.ToString()); // 404 before the stream starts
        return ProgressStreaming.RunAsync(ctx, async (progress, ct) => { await engine.Pusher.PushAsync(reference, progress, ct); });
    }
}
