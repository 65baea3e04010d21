using System.Text.Json.Serialization.Metadata;
using GitOps.Cli.Api;
using GitOps.Runtime;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>Small helpers for handlers: query values, JSON bodies and responses with the source-generated contexts.</summary>
internal static class Http
{
    public static string Route(this HttpContext ctx, string name) =>
        Uri.UnescapeDataString(ctx.Request.RouteValues[name]?.ToString() ?? "");

    public static string? Query(this HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var v) && v.Count > 0 ? v[^1] : null;

    public static bool QueryBool(this HttpContext ctx, string name, bool fallback = false) =>
        ctx.Query(name) is { } v ? v is "1" or "true" or "True" : fallback;

    public static int? QueryInt(this HttpContext ctx, string name)
    {
        var v = ctx.Query(name);
        if (v is null) return null;
        return int.TryParse(v, out var i) ? i : throw new InvalidArgumentException($"invalid value for {name}: {v}");
    }

    public static IReadOnlyList<string> QueryAll(this HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var v) ? v.Where(s => s is not null).Select(s => s!).ToList() : [];

    public static async Task<T> ReadJsonAsync<T>(this HttpContext ctx, JsonTypeInfo<T> type)
    {
        if (ctx.Request.ContentLength == 0) throw new InvalidArgumentException("request body is empty: expected a JSON object");
        try
        {
            return await System.Text.Json.JsonSerializer.DeserializeAsync(ctx.Request.Body, type, ctx.RequestAborted).ConfigureAwait(false)
                   ?? throw new InvalidArgumentException("request body is null: expected a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            // The reader's message names the property and its position ("$.HostConfig.Memory | LineNumber: 0 | ...").
            throw new InvalidArgumentException(e.Message.Contains("does not contain any JSON tokens", StringComparison.Ordinal)
                ? "request body is empty: expected a JSON object"
                : $"invalid JSON in request body: {e.Message}");
        }
    }

    public static Task JsonAsync<T>(this HttpContext ctx, T value, JsonTypeInfo<T> type, int status = 200)
    {
        ctx.Response.StatusCode = status;
        return ctx.Response.WriteAsJsonAsync(value, type, cancellationToken: ctx.RequestAborted);
    }

    public static Task NoContent(this HttpContext ctx)
    {
        ctx.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    public static Task Error(this HttpContext ctx, int status, string message, int? exitCode = null)
    {
        if (ctx.Response.HasStarted) return Task.CompletedTask;
        ctx.Response.StatusCode = status;
        if (status == 304) return Task.CompletedTask;
        return ctx.Response.WriteAsJsonAsync(new ErrorResponse(message, exitCode), ApiJson.Default.ErrorResponse);
    }
}
