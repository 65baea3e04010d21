using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Exec;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

internal static class ExecEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        var execs = engine.Execs;

        app.MapPost("/containers/{id}/exec", async ctx =>
        {
            var config = await ctx.ReadJsonAsync(RequestJson.Default.ExecConfig);
            var exec = execs.Create(ctx.Route("id"), config);
            await ctx.JsonAsync(new IdResponse(exec.Id), ApiJson.Default.IdResponse, 201);
        });

        // Detached start (exec -d).
        app.MapPost("/exec/{id}/start", ctx =>
        {
            execs.Start(execs.Get(ctx.Route("id")));
            return ctx.NoContent();
        });

        // Attached start: the session starts once the WebSocket is up, so no output is missed.
        app.MapGet("/exec/{id}/start/ws", ctx => StartAttachedAsync(ctx, execs));

        app.MapGet("/exec/{id}/json", ctx =>
        {
            var e = execs.Get(ctx.Route("id"));
            return ctx.JsonAsync(new ExecInspect(e.Id, e.Running, e.ExitCode, e.Pid, e.Container.Id, e.Config), ApiJson.Default.ExecInspect);
        });

        app.MapPost("/exec/{id}/resize", ctx =>
        {
            execs.Get(ctx.Route("id")).Resize((ushort)(ctx.QueryInt("h") ?? 24), (ushort)(ctx.QueryInt("w") ?? 80));
            return ctx.NoContent();
        });
    }

    static async Task StartAttachedAsync(HttpContext ctx, ExecManager execs)
    {
        var exec = execs.Get(ctx.Route("id"));
        if (!ctx.WebSockets.IsWebSocketRequest) throw new InvalidArgumentException("exec start needs a WebSocket upgrade");
        var output = exec.Output.Attach();
        using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
        try { execs.Start(exec); }
        catch (EngineException e)
        {
            output.Dispose();
            var msg = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(
                new ErrorResponse(e.Message, (e as StartFailedException)?.ExitCode), ApiJson.Default.ErrorResponse));
            await ws.SendAsync(msg, System.Net.WebSockets.WebSocketMessageType.Text, true, ctx.RequestAborted);
            await ws.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "failed", ctx.RequestAborted);
            return;
        }
        await WebSocketSession.RunAsync(ws, output,
            data => exec.WriteStdin(data.Span),
            exec.CloseStdin,
            exec.Resize,
            async () => await exec.Exited.Task,
            ctx.RequestAborted);
    }
}
