using System.Runtime.InteropServices;
using System.Text.Json;
using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

internal static class SystemEndpoints
{
    public const string ApiVersion = "1.0";

    public static void Map(WebApplication app, Engine engine)
    {
        app.MapGet("/_ping", ctx => ctx.Response.WriteAsync("OK"));

        app.MapGet("/version", ctx => ctx.JsonAsync(new VersionResponse(BuildInfo.Version, ApiVersion, "linux",
            RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(), KernelVersion(), engine.Cgroups.Version,
            engine.Paths.Root, BuildInfo.BuildTime), ApiJson.Default.VersionResponse));

        app.MapGet("/info", ctx =>
        {
            var all = engine.Containers.All();
            var mem = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var memTotal = mem is null ? 0 : long.Parse(mem.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            return ctx.JsonAsync(new InfoResponse(all.Count,
                all.Count(c => c.State.Status == ContainerStatus.Running), all.Count(c => c.State.Status == ContainerStatus.Paused),
                all.Count(c => !c.State.Running), engine.Images.List().Count, "overlay", "cgroupfs", engine.Cgroups.Version,
                engine.Paths.Root, KernelVersion(), OsName(), Environment.ProcessorCount, memTotal, BuildInfo.Version), ApiJson.Default.InfoResponse);
        });

        // A stream of JSON objects, one per line, as Docker's /events.
        app.MapGet("/events", async ctx =>
        {
            var since = ContainerEndpoints.ParseTime(ctx.Query("since"));
            var until = ContainerEndpoints.ParseTime(ctx.Query("until"));
            var filters = Filters.Parse(ctx.Query("filters"));
            ctx.Response.ContentType = "application/json";
            await ctx.Response.StartAsync(ctx.RequestAborted);
            var sinceNanos = since is { } s ? (s.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100 : (long?)null;
            async Task Send(EngineEvent e)
            {
                await JsonSerializer.SerializeAsync(ctx.Response.Body, e, ApiJson.Default.EngineEvent, ctx.RequestAborted);
                await ctx.Response.Body.WriteAsync("\n"u8.ToArray(), ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            }
            if (until is { } u)
            {
                var untilNanos = (u.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
                foreach (var e in engine.Events.History(sinceNanos ?? 0, untilNanos).Where(e => Match(e, filters))) await Send(e);
                return;
            }
            using var sub = engine.Events.Subscribe(sinceNanos);
            try
            {
                await foreach (var e in sub.Reader.ReadAllAsync(ctx.RequestAborted))
                    if (Match(e, filters)) await Send(e);
            }
            catch (OperationCanceledException) { }
        });
    }

    static bool Match(EngineEvent e, Dictionary<string, List<string>> filters)
    {
        foreach (var (key, values) in filters)
        {
            var ok = key switch
            {
                "type" => values.Contains(e.Type),
                "event" => values.Any(v => e.Action == v || e.Action.StartsWith(v + ":", StringComparison.Ordinal)),
                "container" => e.Type == "container" && values.Any(v => e.Actor.Id.StartsWith(v, StringComparison.Ordinal) || e.Actor.Attributes.GetValueOrDefault("name") == v),
                "image" => values.Any(v => e.Actor.Attributes.GetValueOrDefault("image") == v),
                "label" => values.All(v => Filters.MatchLabel(e.Actor.Attributes, v)),
                _ => throw new InvalidArgumentException($"invalid filter '{key}'"),
            };
            if (!ok) return false;
        }
        return true;
    }

    static string KernelVersion()
    {
        try { return File.ReadAllText("/proc/sys/kernel/osrelease").Trim(); }
        catch (IOException) { return "unknown"; }
    }

    static string OsName()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            return line?[12..].Trim('"') ?? "Linux";
        }
        catch (IOException) { return "Linux"; }
    }
}

public static class BuildInfo
{
    public static string Version => typeof(BuildInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    public static DateTime BuildTime => File.GetLastWriteTimeUtc(Environment.ProcessPath ?? "/");
}
