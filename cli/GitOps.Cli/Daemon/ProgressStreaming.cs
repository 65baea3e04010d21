using System.Text.Json;
using System.Threading.Channels;
using GitOps.Runtime;
using GitOps.Runtime.Images;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>
/// Long operations (pull, push, load, build) answer with a stream of JSON lines, as Docker's do.
/// The status line is held back until the first message: an operation that fails before saying
/// anything (unknown image, bad credentials) gets a real error status; one that fails later ends
/// its stream with an {"error": ...} line.
/// </summary>
internal static class ProgressStreaming
{
    public static async Task RunAsync(HttpContext ctx, Func<Action<ProgressMessage>, CancellationToken, Task> work)
    {
        var channel = Channel.CreateUnbounded<ProgressMessage>(new UnboundedChannelOptions { SingleReader = true });
        var ct = ctx.RequestAborted;
        var task = Task.Run(async () =>
        {
            try { await work(m => channel.Writer.TryWrite(m), ct).ConfigureAwait(false); }
            finally { channel.Writer.TryComplete(); }
        }, ct);

        var started = false;
        try
        {
            await foreach (var message in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (!started)
                {
                    ctx.Response.ContentType = "application/json";
                    await ctx.Response.StartAsync(ct).ConfigureAwait(false);
                    started = true;
                }
                await WriteAsync(ctx, message, ct).ConfigureAwait(false);
                // Coalesce what is queued into one flush: progress comes in bursts.
                while (channel.Reader.TryRead(out var more)) await WriteAsync(ctx, more, ct).ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
            await task.ConfigureAwait(false);
        }
        catch (Exception e) when (started && !ct.IsCancellationRequested)
        {
            // Headers are out: the failure can only travel in the stream. Bugs keep their stack in the log.
            if (e is not (EngineException or InvalidDataException or IOException or FormatException or UnauthorizedAccessException))
                Console.Error.WriteLine($"{ctx.Request.Method} {ctx.Request.Path}: {e}");
            await WriteAsync(ctx, ProgressMessage.Failure(e.Message), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (!started && e is InvalidDataException or FormatException)
        {
            throw new InvalidArgumentException(e.Message);
        }
    }

    static async Task WriteAsync(HttpContext ctx, ProgressMessage message, CancellationToken ct)
    {
        await JsonSerializer.SerializeAsync(ctx.Response.Body, message, ProgressJson.Default.ProgressMessage, ct).ConfigureAwait(false);
        await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), ct).ConfigureAwait(false);
    }
}
