using System.Text.Json;
using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Images;
using GitOps.Runtime.Images.Build;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>docker's POST /build: the body is the build context as a tar; the answer, the build's output as JSON lines.</summary>
internal static class BuildEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        app.MapPost("/build", async ctx =>
        {
            var tags = ctx.QueryAll("t").Select(ImageReference.Parse).ToList();
            var buildArgs = ParseMap(ctx.Query("buildargs"), "buildargs");
            var labels = ParseMap(ctx.Query("labels"), "labels");
            var work = Path.Combine(engine.Paths.Tmp, "build-" + GitOps.Runtime.Ids.New()[..16]);
            var context = Path.Combine(work, "context");
            try
            {
                try
                {
                    await using var tar = ImageStore.OpenDecompressed(ctx.Request.Body);
                    await Task.Run(() => TarUnpacker.Unpack(tar, context), ctx.RequestAborted);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException)
                {
                    throw new InvalidArgumentException($"the build context is not a tar archive: {e.Message}");
                }
                var request = new BuildRequest
                {
                    ContextDir = context,
                    Dockerfile = ctx.Query("dockerfile") is { Length: > 0 } f ? f : "Dockerfile",
                    Tags = tags,
                    BuildArgs = buildArgs.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
                    Target = ctx.Query("target") is { Length: > 0 } t ? t : null,
                    NoCache = ctx.QueryBool("nocache"),
                    Pull = ctx.QueryBool("pull"),
                    Network = ctx.Query("networkmode") is { Length: > 0 } n ? n : "bridge",
                    Labels = labels,
                };
                await ProgressStreaming.RunAsync(ctx, async (progress, ct) =>
                {
                    var image = await engine.NewBuilder().BuildAsync(request, progress, ct);
                    progress(new ProgressMessage { Aux = new AuxId { Id = image.Id } });
                });
            }
            finally { ImageStore.DeleteTree(work); }
        });
    }

    static Dictionary<string, string> ParseMap(string? json, string name)
    {
        if (string.IsNullOrEmpty(json)) return [];
        try { return JsonSerializer.Deserialize(json, ApiJson.Default.DictionaryStringString) ?? []; }
        catch (JsonException e) { throw new InvalidArgumentException($"invalid {name}: {e.Message}"); }
    }
}
