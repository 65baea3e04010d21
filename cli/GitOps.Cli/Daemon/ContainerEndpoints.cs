using GitOps.Runtime.Networking;
using System.Text;
using System.Text.Json;
using GitOps.Cli.Api;
using GitOps.Runtime;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;
using GitOps.Runtime.Logs;
using JsonFileLog = GitOps.Runtime.Logs.JsonFileLog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace GitOps.Cli.Daemon;

internal static class ContainerEndpoints
{
    public static void Map(WebApplication app, Engine engine)
    {
        var containers = engine.Containers;

        app.MapPost("/containers/create", async ctx =>
        {
            var req = await ctx.ReadJsonAsync(RequestJson.Default.CreateRequest);
            if (ctx.Query("name") is { Length: > 0 } name) req = req with { Name = name };
            var c = containers.Create(req);
            await ctx.JsonAsync(new IdResponse(c.Id, []), ApiJson.Default.IdResponse, 201);
        });

        app.MapGet("/containers/json", async ctx =>
        {
            var filters = Filters.Parse(ctx.Query("filters"));
            var all = ctx.QueryBool("all") || filters.ContainsKey("status") || filters.ContainsKey("exited");
            var list = containers.All()
                .Where(c => all || c.State.Running || c.State.Status == ContainerStatus.Restarting)
                .Where(c => Filters.MatchContainer(c, filters, engine))
                .OrderByDescending(c => c.Config.Created)
                .Select(c => Inspect.Summary(c, engine)).ToList();
            if (ctx.QueryInt("limit") is { } limit && limit > 0) list = list.Take(limit).ToList();
            await ctx.JsonAsync(list, ApiJson.Default.ListContainerSummary);
        });

        app.MapGet("/containers/{id}/json", ctx =>
            ctx.JsonAsync(Inspect.Container(containers.Get(ctx.Route("id")), engine), ApiJson.Default.ContainerInspect));

        app.MapPost("/containers/{id}/start", async ctx =>
        {
            await containers.StartAsync(ctx.Route("id"), ctx.RequestAborted);
            await ctx.NoContent();
        });

        app.MapPost("/containers/{id}/stop", async ctx =>
        {
            await containers.StopAsync(ctx.Route("id"), ctx.QueryInt("t"), CancellationToken.None);
            await ctx.NoContent();
        });

        app.MapPost("/containers/{id}/restart", async ctx =>
        {
            await containers.RestartAsync(ctx.Route("id"), ctx.QueryInt("t"), CancellationToken.None);
            await ctx.NoContent();
        });

        app.MapPost("/containers/{id}/kill", ctx =>
        {
            containers.Kill(ctx.Route("id"), ctx.Query("signal") ?? "SIGKILL");
            return ctx.NoContent();
        });

        app.MapDelete("/containers/{id}", async ctx =>
        {
            await containers.RemoveAsync(ctx.Route("id"), ctx.QueryBool("force"), CancellationToken.None, removeVolumes: ctx.QueryBool("v"));
            await ctx.NoContent();
        });

        app.MapPost("/containers/{id}/wait", async ctx =>
        {
            // The long poll can outlive the client; stop waiting when it goes away.
            var code = await containers.WaitAsync(ctx.Route("id"), ctx.Query("condition") ?? "not-running", ctx.RequestAborted);
            await ctx.JsonAsync(new WaitResponse(code), ApiJson.Default.WaitResponse);
        });

        app.MapPost("/containers/{id}/rename", ctx =>
        {
            containers.Rename(ctx.Route("id"), ctx.Query("name") ?? throw new InvalidArgumentException("missing name"));
            return ctx.NoContent();
        });

        app.MapPost("/containers/{id}/pause", ctx => { containers.Pause(ctx.Route("id")); return ctx.NoContent(); });
        app.MapPost("/containers/{id}/unpause", ctx => { containers.Unpause(ctx.Route("id")); return ctx.NoContent(); });

        app.MapPost("/containers/{id}/resize", ctx =>
        {
            containers.Resize(ctx.Route("id"), (ushort)(ctx.QueryInt("h") ?? 24), (ushort)(ctx.QueryInt("w") ?? 80));
            return ctx.NoContent();
        });

        app.MapGet("/containers/{id}/top", ctx =>
        {
            var (titles, rows) = containers.Top(ctx.Route("id"));
            return ctx.JsonAsync(new TopResponse(titles, rows), ApiJson.Default.TopResponse);
        });

        app.MapGet("/containers/{id}/changes", ctx =>
        {
            var changes = containers.Diff(ctx.Route("id"))
                .Select(ch => new ChangeItem(ch.Path, ch.Kind switch { "C" => 0, "A" => 1, _ => 2 })).ToList();
            return ctx.JsonAsync(changes, ApiJson.Default.ListChangeItem);
        });

        app.MapPost("/commit", async ctx =>
        {
            var id = ctx.Query("container") ?? throw new InvalidArgumentException("missing container");
            ImageReference? tag = null;
            if (ctx.Query("repo") is { Length: > 0 } repo)
                tag = ImageReference.Parse(repo + (ctx.Query("tag") is { Length: > 0 } t ? ":" + t : ""));
            // HttpClient sends JSON bodies chunked, without a Content-Length: go by the content type.
            var body = ctx.Request.HasJsonContentType() ? await ctx.ReadJsonAsync(RequestJson.Default.CommitRequest) : new CommitRequest([]);
            var changes = body.Changes ?? [];
            var image = await containers.CommitAsync(id, tag, ctx.Query("comment"), ctx.Query("author"), changes,
                ctx.QueryBool("pause", true), ctx.RequestAborted);
            await ctx.JsonAsync(new IdResponse(image.Id), ApiJson.Default.IdResponse, 201);
        });

        app.MapGet("/containers/{id}/logs", async ctx =>
        {
            var c = containers.Get(ctx.Route("id"));
            var follow = ctx.QueryBool("follow");
            var timestamps = ctx.QueryBool("timestamps");
            var stdout = ctx.QueryBool("stdout", true);
            var stderr = ctx.QueryBool("stderr", true);
            var tailText = ctx.Query("tail") ?? "all";
            int? tail = tailText == "all" ? null : int.TryParse(tailText, out var n) && n >= 0 ? n : throw new InvalidArgumentException($"invalid tail: {tailText}");
            var since = ParseTime(ctx.Query("since"));
            var until = ParseTime(ctx.Query("until"));
            ctx.Response.ContentType = "application/vnd.gitops.multiplexed-stream";
            await ctx.Response.StartAsync(ctx.RequestAborted);

            bool Wanted(LogEntry e) =>
                (e.Stream == StdStream.Stderr ? stderr : stdout) && (since is null || e.Time >= since) && (until is null || e.Time <= until);

            async Task Write(LogEntry e)
            {
                var payload = e.Data;
                if (timestamps)
                    payload = Encoding.UTF8.GetBytes(JsonFileLog.FormatTime(e.Time) + " ").Concat(e.Data.ToArray()).ToArray();
                await StreamFrame.WriteAsync(ctx.Response.Body, (byte)e.Stream, payload, ctx.RequestAborted);
            }

            if (follow && c.State.Running)
            {
                var (history, live) = c.Output.Follow();
                using (live)
                {
                    foreach (var e in Tail(history.Where(Wanted), tail)) await Write(e);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                    await foreach (var e in live.Reader.ReadAllAsync(ctx.RequestAborted))
                    {
                        if (!Wanted(e)) continue;
                        await Write(e);
                        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                    }
                }
            }
            else if (c.Output.LogPath is { } path)
            {
                foreach (var e in Tail(JsonFileLog.Read(path).Where(Wanted), tail)) await Write(e);
            }
        });

        app.MapGet("/containers/{id}/attach/ws", async ctx =>
        {
            var c = containers.Get(ctx.Route("id"));
            if (c.State.Status == ContainerStatus.Exited && !ctx.QueryBool("prestart"))
                throw new ConflictException("You cannot attach to a stopped container, start it first");
            if (!ctx.WebSockets.IsWebSocketRequest) throw new InvalidArgumentException("attach needs a WebSocket upgrade");
            var output = c.Output.Attach();
            using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
            await WebSocketSession.RunAsync(ws, output,
                data => containers.WriteStdin(c, data.Span),
                () => containers.CloseStdin(c),
                (rows, cols) => containers.Resize(c.Id, rows, cols),
                async () => { await c.WhenExited; return c.State.ExitCode; },
                ctx.RequestAborted);
        });
    }

    static IEnumerable<LogEntry> Tail(IEnumerable<LogEntry> entries, int? tail)
    {
        if (tail is null) return entries;
        var q = new Queue<LogEntry>();
        if (tail == 0) return q;
        foreach (var e in entries)
        {
            q.Enqueue(e);
            if (q.Count > tail) q.Dequeue();
        }
        return q;
    }

    /// <summary>Unix seconds (with fraction), RFC 3339, or a duration before now (10m, 1h).</summary>
    internal static DateTimeOffset? ParseTime(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var secs))
            return DateTimeOffset.UnixEpoch.AddSeconds(secs);
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
            return t;
        if (Durations.TryParse(value, out var d)) return DateTimeOffset.UtcNow - d;
        throw new InvalidArgumentException($"invalid time \"{value}\": expected a timestamp, RFC 3339 date or a duration such as 10m");
    }
}

/// <summary>Go-style durations: 300ms, 1.5h, 2h45m, 10s.</summary>
public static class Durations
{
    public static bool TryParse(string s, out TimeSpan result)
    {
        result = TimeSpan.Zero;
        var i = 0;
        var any = false;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) return false;
            if (!double.TryParse(s[start..i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n)) return false;
            var us = i;
            while (i < s.Length && char.IsLetter(s[i])) i++;
            var factor = s[us..i] switch
            {
                "ns" => 1e-6, "us" or "µs" => 1e-3, "ms" => 1, "s" => 1000, "m" => 60_000, "h" => 3_600_000, "d" => 86_400_000,
                _ => double.NaN,
            };
            if (double.IsNaN(factor)) return false;
            result += TimeSpan.FromMilliseconds(n * factor);
            any = true;
        }
        return any;
    }
}

/// <summary>Docker's filters: JSON {"name":["web"],"status":["running"]} (or the older {"name":{"web":true}}).</summary>
internal static class Filters
{
    public static Dictionary<string, List<string>> Parse(string? json)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json)) return result;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidArgumentException($"invalid filters: expected a JSON object such as {{\"label\":[\"a=b\"]}}, got {Kind(doc.RootElement)}");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var values = p.Value.ValueKind switch
                {
                    JsonValueKind.Array => p.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()!
                        : throw new InvalidArgumentException($"invalid filters: the values of \"{p.Name}\" must be strings, got {Kind(v)}")).ToList(),
                    // The older form {"name":{"web":true}}.
                    JsonValueKind.Object => p.Value.EnumerateObject().Select(v => v.Name).ToList(),
                    _ => throw new InvalidArgumentException($"invalid filters: \"{p.Name}\" must be a list of strings, got {Kind(p.Value)}"),
                };
                result[p.Name] = values;
            }
        }
        catch (JsonException e) { throw new InvalidArgumentException($"invalid filters: {e.Message}"); }
        return result;
    }

    static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    public static bool MatchContainer(Container c, Dictionary<string, List<string>> filters, Engine engine)
    {
        foreach (var (key, values) in filters)
        {
            var ok = key switch
            {
                "name" => values.Any(v => c.Name.Contains(v.TrimStart('/'), StringComparison.Ordinal)),
                "id" => values.Any(v => c.Id.StartsWith(v, StringComparison.Ordinal)),
                "status" => values.Contains(c.State.Status),
                "exited" => c.State.Status == ContainerStatus.Exited && values.Contains(c.State.ExitCode.ToString()),
                "label" => values.All(v => MatchLabel(c.Config.Labels, v)),
                "health" => values.All(IsHealthFilter) ? values.Contains(c.State.Health?.Status ?? Runtime.Health.HealthStatus.None)
                    : throw new InvalidArgumentException($"Unrecognised filter value for health: {values.First(v => !IsHealthFilter(v))}"),
                "ancestor" => values.Any(v => engine.Images.Find(v)?.Id == c.Config.ImageId || c.Config.Image == v),
                "network" => values.Any(v => OnNetwork(c, v, engine)),
                "publish" => values.Any(v => engine.Networks.Settings(c.Id)?.Ports.Any(p => MatchPort(v, p.HostPort, p.Protocol)) == true),
                "expose" => values.Any(v => c.Config.ExposedPorts.Select(NetworkManager.ParsePort).Any(p => MatchPort(v, p.Port, p.Protocol))),
                _ => throw new InvalidArgumentException($"invalid filter '{key}'"),
            };
            if (!ok) return false;
        }
        return true;
    }

    static bool IsHealthFilter(string v) => v is Runtime.Health.HealthStatus.Starting or Runtime.Health.HealthStatus.Healthy
        or Runtime.Health.HealthStatus.Unhealthy or Runtime.Health.HealthStatus.None;

    /// <summary>network=NAME or ID: attached to it now, or configured to join it.</summary>
    static bool OnNetwork(Container c, string value, Engine engine)
    {
        var net = engine.Networks.Find(value);
        if (net is null) return false;
        if (engine.Networks.Settings(c.Id) is { Endpoints.Count: > 0 } s) return s.Endpoints.Any(e => e.NetworkId == net.Id);
        var mode = c.Config.HostConfig.NetworkMode is "" or "default" ? "bridge" : c.Config.HostConfig.NetworkMode;
        return mode == net.Name || mode == net.Id || c.Config.Networks.ContainsKey(net.Name) || c.Config.Networks.ContainsKey(net.Id);
    }

    /// <summary>publish= and expose= take PORT, PORT/PROTO or START-END[/PROTO].</summary>
    static bool MatchPort(string filter, int port, string protocol)
    {
        var slash = filter.IndexOf('/');
        if (slash >= 0 && !string.Equals(filter[(slash + 1)..], protocol, StringComparison.OrdinalIgnoreCase)) return false;
        var range = slash >= 0 ? filter[..slash] : filter;
        var dash = range.IndexOf('-');
        if (dash < 0) return int.TryParse(range, out var p) ? p == port : throw new InvalidArgumentException($"invalid port filter \"{filter}\"");
        return int.TryParse(range[..dash], out var lo) && int.TryParse(range[(dash + 1)..], out var hi)
            ? port >= lo && port <= hi
            : throw new InvalidArgumentException($"invalid port range filter \"{filter}\"");
    }

    public static bool MatchLabel(IReadOnlyDictionary<string, string> labels, string filter)
    {
        var eq = filter.IndexOf('=');
        if (eq < 0) return labels.ContainsKey(filter);
        var (k, v) = (filter[..eq], filter[(eq + 1)..]);
        if (k.EndsWith('!')) return !labels.TryGetValue(k[..^1], out var have1) || have1 != v;
        return labels.TryGetValue(k, out var have) && have == v;
    }
}
