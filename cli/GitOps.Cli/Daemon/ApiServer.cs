using System.Net.Sockets;
using GitOps.Reconciler.Reconcile;
using GitOps.Runtime;
using GitOps.Runtime.Linux;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Daemon;

/// <summary>The daemon's HTTP API on a root-only Unix socket.</summary>
internal static class ApiServer
{
    public static WebApplication Build(Engine engine, string socketPath, ReconcilerHost? reconciler = null, string? webhookListen = null, string? webhookSecret = null,
        GitOps.Cluster.Membership.ClusterNode? cluster = null)
    {
        var hookEndpoint = webhookListen is null ? null : ParseEndpoint(webhookListen);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; o.UseUtcTimestamp = true; });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.ListenUnixSocket(socketPath);
            // Webhooks come from Git hosts over TCP; that listener serves /hooks and nothing else.
            if (hookEndpoint is not null) o.Listen(hookEndpoint);
            // Every request gets its own limit (RequestLimits): JSON bodies and webhooks are bounded, archives are not.
            o.Limits.MaxRequestBodySize = RequestLimits.Json;
            o.AddServerHeader = false;
            // Tar streams are unpacked with blocking reads on their own threads.
            o.AllowSynchronousIO = true;
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        var trace = Environment.GetEnvironmentVariable("GITOPS_TRACE") == "1";
        app.Use(async (ctx, next) =>
        {
            var sw = trace ? System.Diagnostics.Stopwatch.StartNew() : null;
            try { await next(ctx); }
            finally { if (sw is not null) Console.Error.WriteLine($"trace request {ctx.Request.Method} {ctx.Request.Path}: {sw.Elapsed.TotalMilliseconds:0.00} ms"); }
        });
        app.Use(async (ctx, next) =>
        {
            try { await next(ctx); }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await RequestLimits.TooLargeAsync(ctx, RequestLimits.For(ctx.Request) ?? 0);
            }
            catch (BadHttpRequestException e)
            {
                // Kestrel's own verdicts on the request (a truncated body, a malformed chunk): the client's fault.
                ctx.Response.Headers.Connection = "close";
                await ctx.Error(e.StatusCode, e.Message);
            }
            catch (EndOfStreamException e) when (RequestLimits.IsStreamed(ctx.Request))
            {
                // An archive endpoint's body ended before its archive did: what the client sent is not a tar.
                await ctx.Error(StatusCodes.Status400BadRequest, $"the request body is not a complete tar archive: {e.Message}");
            }
            catch (StartFailedException e) { await ctx.Error(ApiErrors.Status(e), e.Message, e.ExitCode); }
            catch (EngineException e) { await ctx.Error(ApiErrors.Status(e), e.Message); }
            catch (ErrnoException e) { await ctx.Error(500, e.Message); }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested) { }
            catch (IOException e) when (ctx.RequestAborted.IsCancellationRequested) { _ = e; }
            catch (IOException e) { await ctx.Error(500, e.Message); }
            catch (Exception e)
            {
                // A bug, not a user error: keep the stack in the daemon's log, give the client the message.
                Console.Error.WriteLine($"{ctx.Request.Method} {ctx.Request.Path}: {e}");
                await ctx.Error(500, e.Message);
            }
        });
        app.Use(async (ctx, next) =>
        {
            if (await RequestLimits.ApplyAsync(ctx)) await next(ctx);
        });
        if (hookEndpoint is not null)
            app.Use(async (ctx, next) =>
            {
                if (ctx.Connection.LocalIpAddress is not null && !ctx.Request.Path.StartsWithSegments("/hooks")) { ctx.Response.StatusCode = 404; return; }
                await next(ctx);
            });
        SystemEndpoints.Map(app, engine);
        if (reconciler is not null)
        {
            AppEndpoints.Map(app, reconciler);
            WorkloadEndpoints.Map(app, engine, reconciler);
            WebhookEndpoints.Map(app, reconciler, webhookSecret);
        }
        ContainerEndpoints.Map(app, engine);
        ExecEndpoints.Map(app, engine);
        ImageEndpoints.Map(app, engine);
        NetworkEndpoints.Map(app, engine);
        RegistryEndpoints.Map(app, engine);
        BuildEndpoints.Map(app, engine);
        ImageStoreEndpoints.Map(app, engine);
        VolumeEndpoints.Map(app, engine);
        SecretEndpoints.Map(app, engine);
        HousekeepingEndpoints.Map(app, engine);
        if (cluster is not null) ClusterEndpoints.Map(app, cluster);
        return app;
    }

    static System.Net.IPEndPoint ParseEndpoint(string text) =>
        System.Net.IPEndPoint.TryParse(text.StartsWith(':') ? "0.0.0.0" + text : text, out var ep) && ep.Port > 0 ? ep
            : throw new InvalidOperationException($"invalid webhook listen address \"{text}\": expected ADDRESS:PORT such as 127.0.0.1:9595");

    /// <summary>
    /// Makes the socket path usable: its directory exists, and a stale socket file left by a killed
    /// daemon is removed — but not one a live daemon still answers on.
    /// </summary>
    public static void PrepareSocket(string socketPath)
    {
        var dir = Path.GetDirectoryName(socketPath)!;
        Directory.CreateDirectory(dir);
        if (!File.Exists(socketPath)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            throw new InvalidOperationException($"another gitops daemon is already listening on {socketPath}");
        }
        catch (SocketException)
        {
            File.Delete(socketPath);
        }
    }

    /// <summary>root only: the API can run anything as root, so no one else may connect.</summary>
    public static void SecureSocket(string socketPath) =>
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
}
