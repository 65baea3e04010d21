using System.Net;
using GitOps.Runtime.Networking.Http;

namespace GitOps.Runtime.Networking;

public sealed partial class NetworkManager
{
    readonly Lock _httpGate = new();
    readonly Dictionary<string, HttpRouterHost> _httpHosts = new(StringComparer.Ordinal);

    /// <summary>Certificates of http routers with TLS: the engine's secret store. Until set, TLS handshakes fail.</summary>
    public ITlsSecretSource? TlsSecrets { get; set; }

    /// <summary>
    /// Starts the listener of an http router on its VIP. The VIP must be on the bridge already. The
    /// daemon owns the listener: while the daemon restarts, an http router refuses connections (a
    /// kernel router keeps forwarding), and the restarted daemon listens again before it serves its API.
    /// </summary>
    void StartHttpRouter(RouterConfig r)
    {
        var certificates = new TlsCertificates(() => TlsSecrets);
        certificates.Update(r.Http?.Tls ?? []);
        HttpRouterHost host;
        try
        {
            host = HttpRouterHost.StartAsync(r.Name, IPAddress.Parse(r.Vip), r.Port, r.Http?.TlsPort, certificates, Table(r)).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            certificates.Dispose();
            throw new ConflictException($"router {r.Name}: cannot listen on {r.Vip}:{r.Port}: {e.Message}");
        }
        lock (_httpGate) _httpHosts[r.Name] = host;
    }

    void StopHttpRouter(string name)
    {
        HttpRouterHost? host;
        lock (_httpGate) _httpHosts.Remove(name, out host);
        host?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>After a restart: every http router listens again (its VIP is on the bridge by now).</summary>
    void StartHttpRouters()
    {
        List<RouterConfig> routers;
        lock (_routerGate) routers = _routers.Values.Where(r => r.IsHttp).ToList();
        foreach (var r in routers)
        {
            try { StartHttpRouter(r); }
            catch (EngineException e) { Console.Error.WriteLine($"router {r.Name}: {e.Message}"); }
        }
    }

    /// <summary>Pushes live backends, weights, routes and certificates to every http router (part of ApplyRules).</summary>
    void UpdateHttpRouters()
    {
        List<RouterConfig> routers;
        lock (_routerGate) routers = _routers.Values.Where(r => r.IsHttp).ToList();
        foreach (var r in routers)
        {
            HttpRouterHost? host;
            lock (_httpGate) _httpHosts.TryGetValue(r.Name, out host);
            host?.Update(Table(r), r.Http?.Tls ?? []);
        }
    }

    HttpRouteTable Table(RouterConfig r) =>
        new(r.Http, LiveBackends(r).Select(b => new HttpBackend(HttpBackend.KeyOf(b.ContainerId, b.Config.Port), b.Config.Container, b.Ip, b.Config.Port,
            b.Config.Weight, b.Config.Service ?? b.Service ?? "", b.Config.Group ?? b.Version ?? "default")).ToList());

    /// <summary>
    /// An http router's requests per (service, version) over the last <paramref name="window"/> (at most
    /// <see cref="RouterMetrics.RetentionSeconds"/> seconds): counts by status class, success and error
    /// rates, p50/p95/p99 latency. What the analysis of a canary reads; a tcp or udp router has none.
    /// </summary>
    public RouterMetricsReport RouterMetrics(string name, TimeSpan window)
    {
        var r = GetRouter(name);
        if (!r.IsHttp) throw new InvalidArgumentException($"router {name} is {r.Protocol}: request metrics need an http router (protocol http)");
        if (window <= TimeSpan.Zero) throw new InvalidArgumentException($"invalid metrics window {window}: expected a positive duration");
        HttpRouterHost? host;
        lock (_httpGate) _httpHosts.TryGetValue(name, out host);
        var seconds = Math.Min(Math.Ceiling(window.TotalSeconds), Http.RouterMetrics.RetentionSeconds);
        return new RouterMetricsReport { Router = name, WindowSeconds = seconds, Versions = host?.Metrics.Snapshot(window) ?? [] };
    }

    /// <summary>All errors of an http router's settings at once, each named by its place.</summary>
    void ValidateHttp(HttpRouterSettings s, int port, int? hostPort)
    {
        var errors = new List<string>();
        for (var i = 0; i < s.HeaderRoutes.Count; i++)
        {
            var h = s.HeaderRoutes[i];
            var at = $"headerRoutes[{i}]";
            if (string.IsNullOrWhiteSpace(h.Header) || h.Header.Any(c => c <= ' ' || c is ':' or '\x7f'))
                errors.Add($"{at}: \"{h.Header}\" is not a header name");
            if (h.Match is not ("exact" or "prefix" or "regex")) errors.Add($"{at}: match \"{h.Match}\" is not exact, prefix or regex");
            else if (h.Match == "regex")
            {
                try { HttpRouteTable.CompileRegex(h.Value); }
                catch (Exception e) when (e is ArgumentException or NotSupportedException) { errors.Add($"{at}: regex \"{h.Value}\": {e.Message}"); }
            }
            if (string.IsNullOrEmpty(h.Group) || !IsLabelValue(h.Group)) errors.Add($"{at}: group \"{h.Group}\" must be 1-63 of [A-Za-z0-9._-]");
        }
        for (var i = 0; i < s.Rules.Count; i++)
        {
            var r = s.Rules[i];
            var at = $"rules[{i}]";
            if (r.Host is { Length: > 0 } host && !IsHostPattern(host)) errors.Add($"{at}: host \"{host}\" is not a DNS name (a wildcard is one leading \"*.\")");
            if (!r.Path.StartsWith('/')) errors.Add($"{at}: path \"{r.Path}\" must start with /");
            if (r.PathType is not ("Exact" or "Prefix" or "ImplementationSpecific")) errors.Add($"{at}: pathType \"{r.PathType}\" is not Exact, Prefix or ImplementationSpecific");
            if (string.IsNullOrEmpty(r.Service) || !IsLabelValue(r.Service)) errors.Add($"{at}: service \"{r.Service}\" must be 1-63 of [A-Za-z0-9._-]");
        }
        if (s.DefaultService is { } d && !IsLabelValue(d)) errors.Add($"defaultService \"{d}\" must be 1-63 of [A-Za-z0-9._-]");
        if (s.Tls.Count > 0 && s.TlsPort is null) errors.Add("tls: certificates need a TLS port");
        if (s.TlsPort is { } tp)
        {
            if (tp is <= 0 or > 65535) errors.Add($"tlsPort {tp} is not 1-65535");
            else if (tp == port) errors.Add($"tlsPort {tp} is the router's plain HTTP port");
            if (s.Tls.Count == 0) errors.Add("tlsPort: a TLS port needs at least one certificate (tls)");
        }
        if (s.TlsHostPort is { } th && (th is <= 0 or > 65535 || s.TlsPort is null || th == hostPort))
            errors.Add($"tlsHostPort {th}: expected 1-65535, different from the plain published port, with a tlsPort");
        for (var i = 0; i < s.Tls.Count; i++)
        {
            var t = s.Tls[i];
            foreach (var h in t.Hosts.Where(h => !IsHostPattern(h))) errors.Add($"tls[{i}]: host \"{h}\" is not a DNS name");
            if (string.IsNullOrEmpty(t.Secret)) errors.Add($"tls[{i}]: a secret is required");
            else if (TlsSecrets is { } source && source.Version(t.Secret) is null) errors.Add($"tls[{i}]: no such secret: {t.Secret}");
        }
        if (errors.Count > 0) throw new InvalidArgumentException(string.Join("; ", errors));
    }

    static bool IsHostPattern(string host)
    {
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return name.Length is > 0 and <= 253 && name.Split('.').All(l => l.Length is > 0 and <= 63 && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && l[0] != '-' && l[^1] != '-');
    }

    void DisposeHttpRouters()
    {
        List<string> names;
        lock (_httpGate) names = _httpHosts.Keys.ToList();
        foreach (var n in names) StopHttpRouter(n);
    }
}
