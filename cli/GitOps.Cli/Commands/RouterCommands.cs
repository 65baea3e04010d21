using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Output;
using GitOps.Runtime.Networking;
using GitOps.Runtime.Networking.Http;

namespace GitOps.Cli.Commands;

/// <summary>
/// gitops router: the service routers rolling, blue-green and canary updates drive. Docker has no such
/// verb; the options follow docker's habits (repeatable flags, key=value lists as in --mount).
/// </summary>
internal static class RouterCommands
{
    public static Command Group()
    {
        var group = new Command("router", "Service addresses that spread connections (tcp, udp) or requests (http) over weighted backends (what rolling, blue-green and canary updates drive)");
        foreach (var c in new[] { Create(), Set(), Drain(), Metrics(), List(), Inspect(), Remove() }) group.Subcommands.Add(c);
        return group;
    }

    static readonly string BackendHelp = "CONTAINER:PORT[=WEIGHT][,group=VERSION][,service=NAME] (weight defaults to 1)";
    static readonly string HeaderRouteHelp = "header=NAME,value=V[,match=exact|prefix|regex],group=VERSION: matching requests go to that version (Argo's setHeaderRoute)";
    static readonly string RuleHelp = "[host=HOST,]path=/P[,type=Prefix|Exact],service=NAME: host/path rule (Ingress semantics)";

    static Command Create()
    {
        var cmd = new Command("create", "Create a router: a virtual IP on a network (and optionally a host port)");
        var network = new Option<string>("--network") { Description = "Network of the virtual IP", Required = true };
        var port = new Option<int>("--port") { Description = "Port of the virtual IP", Required = true };
        var publish = new Option<int?>("--publish") { Description = "Also route this host port" };
        var proto = new Option<string?>("--protocol") { Description = "tcp, udp or http (default tcp)" };
        var mode = new Option<string?>("--mode") { Description = "kernel (tcp/udp, a weighted choice per connection) or http (YARP in the daemon, a weighted choice per request, header routes, metrics)" };
        var backend = new Option<string[]>("--backend") { Description = BackendHelp };
        var headerRoute = new Option<string[]>("--header-route") { Description = HeaderRouteHelp + " (http)" };
        var rule = new Option<string[]>("--rule") { Description = RuleHelp + " (http)" };
        var defaultService = new Option<string?>("--default-service") { Description = "Service for requests no rule matches (http)" };
        var tls = new Option<string[]>("--tls") { Description = "secret=NAME[,host=HOST...]: certificate and key for these hosts (SNI), served on --tls-port (http)" };
        var tlsPort = new Option<int?>("--tls-port") { Description = "TLS port of the virtual IP (http)" };
        var publishTls = new Option<int?>("--publish-tls") { Description = "Also route this host port to the TLS port (http)" };
        var name = new Argument<string>("name");
        foreach (var o in new Option[] { network, port, publish, proto, mode, backend, headerRoute, rule, defaultService, tls, tlsPort, publishTls }) cmd.Options.Add(o);
        cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var protocol = Protocol(pr.GetValue(proto), pr.GetValue(mode));
            HttpRouterSettings? http = null;
            if (protocol == "http")
                http = new HttpRouterSettings
                {
                    HeaderRoutes = HeaderRoutes(pr.GetValue(headerRoute)), Rules = Rules(pr.GetValue(rule)), DefaultService = pr.GetValue(defaultService),
                    Tls = Tls(pr.GetValue(tls)), TlsPort = pr.GetValue(tlsPort), TlsHostPort = pr.GetValue(publishTls),
                };
            else if (new[] { headerRoute, rule, tls }.Any(o => pr.GetValue(o) is { Length: > 0 }) || pr.GetValue(tlsPort) is not null || pr.GetValue(defaultService) is not null)
                throw new CliException("--header-route, --rule, --default-service and --tls need --mode http");
            using var client = Cli.Client(pr);
            var req = new RouterCreate
            {
                Name = pr.GetValue(name)!, Network = pr.GetValue(network)!, Port = pr.GetValue(port), HostPort = pr.GetValue(publish),
                Protocol = protocol, Backends = Backends(pr.GetValue(backend), []), Http = http,
            };
            var r = await client.PostJsonAsync("routers", req, ApiJson.Default.RouterCreate, ApiJson.Default.RouterConfig, ct);
            Console.WriteLine($"{r.Name} {r.Vip}:{r.Port}");
            return 0;
        });
        return cmd;
    }

    /// <summary>--mode http is --protocol http; --mode kernel keeps tcp or udp.</summary>
    static string Protocol(string? protocol, string? mode)
    {
        switch (mode)
        {
            case null or "kernel":
                if (mode == "kernel" && protocol == "http") throw new CliException("--mode kernel routes tcp or udp, not http");
                return protocol ?? "tcp";
            case "http":
                if (protocol is not (null or "http" or "tcp")) throw new CliException($"--mode http routes http over tcp, not {protocol}");
                return "http";
            default:
                throw new CliException($"invalid --mode \"{mode}\": expected kernel or http");
        }
    }

    static Command Set()
    {
        var cmd = new Command("set", "Change a router at run time: backends, weights, header routes, rules; established connections and requests in flight keep their backend");
        var backend = new Option<string[]>("--backend") { Description = "Replace the backends: " + BackendHelp };
        var unready = new Option<string[]>("--unready") { Description = "Backend that gets no new connections" };
        var weight = new Option<string[]>("--weight") { Description = "CONTAINER=N: new weight of one backend, the others unchanged" };
        var headerRoute = new Option<string[]>("--header-route") { Description = "Replace the header routes: " + HeaderRouteHelp };
        var clearHeaderRoutes = new Option<bool>("--clear-header-routes") { Description = "Remove every header route" };
        var rule = new Option<string[]>("--rule") { Description = "Replace the rules: " + RuleHelp };
        var name = new Argument<string>("name");
        foreach (var o in new Option[] { backend, unready, weight, headerRoute, clearHeaderRoutes, rule }) cmd.Options.Add(o);
        cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var router = Cli.Q(pr.GetValue(name)!);
            var weights = Weights(pr.GetValue(weight));
            var routes = pr.GetValue(headerRoute) is { Length: > 0 } hr ? HeaderRoutes(hr) : pr.GetValue(clearHeaderRoutes) ? [] : null;
            var rules = pr.GetValue(rule) is { Length: > 0 } rs ? Rules(rs) : null;
            var backends = pr.GetValue(backend) is { Length: > 0 } bs ? Backends(bs, pr.GetValue(unready) ?? []) : null;
            if (backends is null && weights.Count == 0 && routes is null && rules is null)
                throw new CliException("nothing to set: give --backend, --weight, --header-route, --clear-header-routes or --rule");
            using var client = Cli.Client(pr);
            if (backends is not null)
                using (await client.SendAsync(HttpMethod.Put, $"routers/{router}/backends", JsonContent.Create(backends, ApiJson.Default.ListRouterBackendConfig), ct: ct)) { }
            if (weights.Count > 0)
                await client.PostJsonAsync($"routers/{router}/weights", weights, ApiJson.Default.DictionaryStringInt32, ApiJson.Default.RouterConfig, ct);
            if (routes is not null || rules is not null)
            {
                var current = await client.GetJsonAsync($"routers/{router}", ApiJson.Default.RouterConfig, ct);
                var settings = (current.Http ?? new HttpRouterSettings()) with { };
                if (routes is not null) settings = settings with { HeaderRoutes = routes };
                if (rules is not null) settings = settings with { Rules = rules };
                using (await client.SendAsync(HttpMethod.Put, $"routers/{router}/http", JsonContent.Create(settings, ApiJson.Default.HttpRouterSettings), ct: ct)) { }
            }
            return 0;
        });
        return cmd;
    }

    static Command Drain()
    {
        var cmd = new Command("drain", "Take a backend out of a router and wait until its connections (tcp, udp) or requests (http) are over, or the timeout; then it can be stopped without failing a request");
        var timeout = new Option<string>("--timeout", "-t") { Description = "How long to wait (the stop grace period)", DefaultValueFactory = _ => "10s" };
        var name = new Argument<string>("router");
        var container = new Argument<string>("container");
        cmd.Options.Add(timeout); cmd.Arguments.Add(name); cmd.Arguments.Add(container);
        Cli.Action(cmd, async (pr, ct) =>
        {
            if (!Reconciler.Values.GoDuration.TryParse(pr.GetValue(timeout)!, out var t) || t < TimeSpan.Zero)
                throw new CliException($"invalid --timeout \"{pr.GetValue(timeout)}\": expected a duration such as 10s");
            using var client = Cli.Client(pr);
            var r = await client.PostJsonAsync($"routers/{Cli.Q(pr.GetValue(name)!)}/drain", new DrainRequest { Container = pr.GetValue(container)!, TimeoutSeconds = t.TotalSeconds },
                ApiJson.Default.DrainRequest, ApiJson.Default.DrainResult, ct);
            var waited = r.WaitedSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            Console.WriteLine(r.Drained
                ? $"{r.Container} drained from {r.Router} in {waited}s"
                : $"{r.Container} left {r.Router}; {r.Remaining} connection(s) still open after {waited}s");
            return 0;
        });
        return cmd;
    }

    static Command Metrics()
    {
        var cmd = new Command("metrics", "Requests per version of an http router over a recent window: count, status classes, success rate, p50/p95/p99");
        var window = new Option<string>("--window", "-w") { Description = "How far back (at most 15m)", DefaultValueFactory = _ => "1m" };
        var format = new Option<string?>("--format") { Description = "json for the engine's report" };
        var name = new Argument<string>("name");
        cmd.Options.Add(window); cmd.Options.Add(format); cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var report = await client.GetJsonAsync($"routers/{Cli.Q(pr.GetValue(name)!)}/metrics?window={Cli.Q(pr.GetValue(window)!)}", ApiJson.Default.RouterMetricsReport, ct);
            if (pr.GetValue(format) == "json")
            {
                Console.WriteLine(JsonSerializer.Serialize(report, ApiJson.Default.RouterMetricsReport));
                return 0;
            }
            var t = new Table("SERVICE", "VERSION", "REQUESTS", "2XX", "3XX", "4XX", "5XX", "ERRORS", "SUCCESS", "P50", "P95", "P99");
            foreach (var v in report.Versions)
                t.Add(v.Service is "" ? "-" : v.Service, v.Version is "" ? "(none)" : v.Version, v.Requests.ToString(CultureInfo.InvariantCulture),
                    Count(v, "2xx"), Count(v, "3xx"), Count(v, "4xx"), Count(v, "5xx"), Count(v, "error"),
                    v.SuccessRate is { } s ? (s * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%" : "-", Ms(v.P50Ms), Ms(v.P95Ms), Ms(v.P99Ms));
            Console.Write(t);
            return 0;
        });
        return cmd;
    }

    static string Count(VersionMetrics v, string cls) => v.StatusClasses.GetValueOrDefault(cls).ToString(CultureInfo.InvariantCulture);
    static string Ms(double? ms) => ms is { } m ? m.ToString(m < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "ms" : "-";

    static Command List()
    {
        var cmd = new Command("ls", "List routers");
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var t = new Table("NAME", "NETWORK", "ADDRESS", "PUBLISHED", "BACKENDS");
            var routers = await client.GetJsonAsync("routers", ApiJson.Default.ListRouterConfig, ct);
            var names = routers.Count == 0 ? [] : (await client.GetJsonAsync("networks", ApiJson.Default.ListNetworkInspect, ct)).ToDictionary(n => n.Id, n => n.Name);
            foreach (var r in routers)
            {
                var published = string.Join(",", new[] { r.HostPort, r.Http?.TlsHostPort }.Where(p => p is not null));
                t.Add(r.Name, names.GetValueOrDefault(r.Network, r.Network[..Math.Min(12, r.Network.Length)]), $"{r.Vip}:{r.Port}/{r.Protocol}", published,
                    string.Join(", ", r.Backends.Select(b => $"{b.Container}:{b.Port}={b.Weight}{(b.Group is { } g ? "@" + g : "")}{(b.Ready ? "" : " (unready)")}")));
            }
            Console.Write(t);
            return 0;
        });
        return cmd;
    }

    static Command Inspect()
    {
        var cmd = new Command("inspect", "Show a router (an http router with its requests per version over the last minute)");
        var names = new Argument<string[]>("name") { Arity = ArgumentArity.OneOrMore };
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template" };
        cmd.Arguments.Add(names); cmd.Options.Add(format);
        Cli.Action(cmd, (pr, ct) => ContainerCommands.InspectAsync(pr, pr.GetValue(names)!, pr.GetValue(format), "router", ct));
        return cmd;
    }

    static Command Remove()
    {
        var cmd = new Command("rm", "Remove routers");
        var names = new Argument<string[]>("name") { Arity = ArgumentArity.OneOrMore };
        cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            foreach (var n in pr.GetValue(names)!) { await client.DeleteAsync($"routers/{Cli.Q(n)}", ct); Console.WriteLine(n); }
            return 0;
        });
        return cmd;
    }

    // ---- parsing: every mistake of every flag reported together, each named by flag and position ----------

    /// <summary>CONTAINER:PORT[=WEIGHT][,group=G][,service=S].</summary>
    internal static List<RouterBackendConfig> Backends(string[]? specs, string[] unready)
    {
        var list = new List<RouterBackendConfig>();
        var errors = new List<string>();
        var all = specs ?? [];
        for (var i = 0; i < all.Length; i++)
        {
            var parts = all[i].Split(',');
            var spec = parts[0];
            var eq = spec.LastIndexOf('=');
            var target = eq < 0 ? spec : spec[..eq];
            var weight = 1;
            if (eq >= 0 && (!int.TryParse(spec[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out weight) || weight < 0))
                errors.Add($"backends[{i}] \"{all[i]}\": weight must be a non-negative integer");
            var colon = target.LastIndexOf(':');
            if (colon <= 0)
            {
                errors.Add($"backends[{i}] \"{all[i]}\": expected {BackendHelp}");
                continue;
            }
            if (!int.TryParse(target[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                errors.Add($"backends[{i}] \"{all[i]}\": port must be a number from 1 to 65535");
            var options = KeyValues(parts.Skip(1), $"backends[{i}]", ["group", "service"], errors);
            var container = target[..colon];
            list.Add(new RouterBackendConfig
            {
                Container = container, Port = port, Weight = weight, Ready = !unready.Contains(container),
                Group = options.GetValueOrDefault("group")?.FirstOrDefault(), Service = options.GetValueOrDefault("service")?.FirstOrDefault(),
            });
        }
        if (errors.Count > 0) throw new FormatException(string.Join("\n", errors));
        return list;
    }

    static Dictionary<string, int> Weights(string[]? specs)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var (spec, i) in (specs ?? []).Select((s, i) => (s, i)))
        {
            var eq = spec.LastIndexOf('=');
            if (eq <= 0 || !int.TryParse(spec[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var w))
                errors.Add($"--weight[{i}] \"{spec}\": expected CONTAINER=N with N a non-negative integer");
            else result[spec[..eq]] = w;
        }
        if (errors.Count > 0) throw new FormatException(string.Join("\n", errors));
        return result;
    }

    static List<HeaderRoute> HeaderRoutes(string[]? specs)
    {
        var errors = new List<string>();
        var list = new List<HeaderRoute>();
        foreach (var (spec, i) in (specs ?? []).Select((s, i) => (s, i)))
        {
            var kv = KeyValues(spec.Split(','), $"--header-route[{i}]", ["header", "value", "match", "group"], errors);
            string? One(string k) => kv.GetValueOrDefault(k)?.FirstOrDefault();
            if (One("header") is not { } header || One("value") is not { } value || One("group") is not { } group)
            {
                errors.Add($"--header-route[{i}] \"{spec}\": expected {HeaderRouteHelp}");
                continue;
            }
            list.Add(new HeaderRoute { Header = header, Value = value, Group = group, Match = One("match") ?? "exact" });
        }
        if (errors.Count > 0) throw new FormatException(string.Join("\n", errors));
        return list;
    }

    static List<HttpRule> Rules(string[]? specs)
    {
        var errors = new List<string>();
        var list = new List<HttpRule>();
        foreach (var (spec, i) in (specs ?? []).Select((s, i) => (s, i)))
        {
            var kv = KeyValues(spec.Split(','), $"--rule[{i}]", ["host", "path", "type", "service"], errors);
            string? One(string k) => kv.GetValueOrDefault(k)?.FirstOrDefault();
            if (One("service") is not { } service)
            {
                errors.Add($"--rule[{i}] \"{spec}\": expected {RuleHelp}");
                continue;
            }
            list.Add(new HttpRule { Host = One("host"), Path = One("path") ?? "/", PathType = One("type") ?? "Prefix", Service = service });
        }
        if (errors.Count > 0) throw new FormatException(string.Join("\n", errors));
        return list;
    }

    static List<TlsBinding> Tls(string[]? specs)
    {
        var errors = new List<string>();
        var list = new List<TlsBinding>();
        foreach (var (spec, i) in (specs ?? []).Select((s, i) => (s, i)))
        {
            var kv = KeyValues(spec.Split(','), $"--tls[{i}]", ["secret", "host"], errors);
            if (kv.GetValueOrDefault("secret")?.FirstOrDefault() is not { } secret)
            {
                errors.Add($"--tls[{i}] \"{spec}\": expected secret=NAME[,host=HOST...]");
                continue;
            }
            list.Add(new TlsBinding { Secret = secret, Hosts = kv.GetValueOrDefault("host") ?? [] });
        }
        if (errors.Count > 0) throw new FormatException(string.Join("\n", errors));
        return list;
    }

    /// <summary>key=value items; unknown keys and items without '=' are errors. A key may repeat (host=).</summary>
    static Dictionary<string, List<string>> KeyValues(IEnumerable<string> items, string where, string[] known, List<string> errors)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var eq = item.IndexOf('=');
            var key = eq < 0 ? item : item[..eq];
            if (eq <= 0 || !known.Contains(key))
            {
                errors.Add($"{where}: \"{item}\" is not one of {string.Join(", ", known.Select(k => k + "=…"))}");
                continue;
            }
            (result.TryGetValue(key, out var l) ? l : result[key] = []).Add(item[(eq + 1)..]);
        }
        return result;
    }
}
