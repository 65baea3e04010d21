using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace GitOps.Cli.Daemon;

/// <summary>
/// How large a request body may be. Kestrel counts the bytes as they stream in (chunked or not) and stops
/// reading past the limit, so an oversized body is refused with 413 after at most the limit, never buffered whole;
/// a declared Content-Length over the limit is refused before a byte of the body is read.
/// </summary>
internal static class RequestLimits
{
    /// <summary>
    /// JSON bodies of the API. The largest legitimate one is a container create near the kernel's bounds (2 MiB of
    /// environment and arguments, see <c>CreateRequestLimits</c>) plus 256 KiB of labels, in JSON; 8 MiB leaves room
    /// for that and refuses a runaway client long before it costs the daemon memory.
    /// </summary>
    public const long Json = 8L << 20;

    /// <summary>Push deliveries: GitHub caps webhook payloads at 25 MB, and GitLab's and Gitea's are smaller.</summary>
    public const long Webhook = 25L << 20;

    /// <summary>
    /// Bodies that are archives by design — an image import or load, a build context — stream to disk (or through
    /// the unpacker) as they arrive and may be gigabytes: no limit, as with Docker. Only disk space bounds them, and a
    /// failed or cancelled upload removes what it wrote.
    /// </summary>
    public static bool IsStreamed(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && request.Path.Value is "/build" or "/images/import" or "/images/load";

    /// <summary>The limit for <paramref name="request"/>, or null for streamed archives.</summary>
    public static long? For(HttpRequest request) =>
        IsStreamed(request) ? null : request.Path.StartsWithSegments("/hooks") ? Webhook : Json;

    public static string Describe(long bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MiB" : $"{bytes >> 10} KiB";

    /// <summary>
    /// Applies the limit to the request (Kestrel enforces it while reading). Returns false, having answered 413,
    /// when the declared length is already over it.
    /// </summary>
    public static async Task<bool> ApplyAsync(HttpContext ctx)
    {
        var limit = For(ctx.Request);
        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        if (limit is { } max && ctx.Request.ContentLength > max)
        {
            await TooLargeAsync(ctx, max);
            return false;
        }
        return true;
    }

    /// <summary>413, and the connection is closed after it: the client may still be sending the rest of the body.</summary>
    public static Task TooLargeAsync(HttpContext ctx, long limit)
    {
        ctx.Response.Headers.Connection = "close";
        var message = $"request body too large: {ctx.Request.Method} {ctx.Request.Path} accepts at most {Describe(limit)}";
        if (ctx.Request.Path.StartsWithSegments("/hooks"))
        {
            if (ctx.Response.HasStarted) return Task.CompletedTask;
            ctx.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return ctx.Response.WriteAsync(message + "\n");
        }
        return ctx.Error(StatusCodes.Status413PayloadTooLarge, message);
    }
}
