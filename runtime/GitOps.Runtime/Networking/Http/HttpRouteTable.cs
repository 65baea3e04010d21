using System.Text.RegularExpressions;

namespace GitOps.Runtime.Networking.Http;

/// <summary>What a request gets: a backend, or the status to answer without one (404: no rule; 503: no backend).</summary>
public readonly record struct RouteDecision(HttpBackend? Backend, int Status, string Service);

/// <summary>
/// The per-request choice of an http router, as a pure function of its settings and live backends:
/// host/path rules pick a service (Kubernetes Ingress semantics), the first matching header route
/// pins the version (Argo Rollouts' setHeaderRoute), and a weighted draw picks the backend.
/// Built once per change and swapped whole, so a request sees one consistent table.
/// The rules are matched here rather than by ASP.NET routing because Kubernetes' semantics differ
/// from it: paths are case-sensitive, a "*." wildcard covers exactly one DNS label, and an exact path
/// beats a prefix of the same length; Argo's header routes also need regex matches.
/// </summary>
public sealed class HttpRouteTable
{
    /// <summary>Backends by service ("" when the router has no rules: every backend serves every request).</summary>
    readonly Dictionary<string, Pool> _byService = new(StringComparer.Ordinal);
    readonly List<(HttpRule Rule, string[] Segments)> _exactHostRules = [];
    readonly List<(HttpRule Rule, string[] Segments)> _wildcardRules = [];
    readonly List<(HttpRule Rule, string[] Segments)> _anyHostRules = [];
    readonly List<(HeaderRoute Route, Regex? Regex)> _headerRoutes = [];
    readonly string? _defaultService;
    readonly bool _hasRules;

    public HttpRouteTable(HttpRouterSettings? settings, IReadOnlyList<HttpBackend> backends)
    {
        Backends = backends;
        _hasRules = settings is { Rules.Count: > 0 } || settings?.DefaultService is not null;
        _defaultService = settings?.DefaultService;
        foreach (var r in settings?.Rules ?? [])
        {
            var entry = (r, Segments(r.Path));
            if (string.IsNullOrEmpty(r.Host)) _anyHostRules.Add(entry);
            else if (r.Host.StartsWith("*.", StringComparison.Ordinal)) _wildcardRules.Add(entry);
            else _exactHostRules.Add(entry);
        }
        foreach (var h in settings?.HeaderRoutes ?? [])
            _headerRoutes.Add((h, h.Match == "regex" ? CompileRegex(h.Value) : null));
        foreach (var b in backends)
        {
            var key = _hasRules ? b.Service : "";
            if (!_byService.TryGetValue(key, out var pool)) _byService[key] = pool = new Pool();
            pool.Add(b);
        }
        ByKey = backends.ToDictionary(b => b.Key, StringComparer.Ordinal);
    }

    public IReadOnlyList<HttpBackend> Backends { get; }
    public IReadOnlyDictionary<string, HttpBackend> ByKey { get; }

    /// <summary>
    /// Header values are matched with the non-backtracking engine: a pattern from Git or the CLI can
    /// never make a request take exponential time.
    /// </summary>
    public static Regex CompileRegex(string pattern) =>
        new(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>Chooses the backend for one request. <paramref name="header"/> gives a header's values (none: empty).</summary>
    public RouteDecision Select(string? host, string path, Func<string, IEnumerable<string>> header, Random random)
    {
        var service = "";
        if (_hasRules)
        {
            var matched = MatchRule(NormalizeHost(host), path);
            if (matched is null)
            {
                if (_defaultService is null) return new RouteDecision(null, 404, "");
                matched = _defaultService;
            }
            service = matched;
        }
        if (!_byService.TryGetValue(service, out var pool)) return new RouteDecision(null, 503, service);
        foreach (var (route, regex) in _headerRoutes)
        {
            if (!HeaderMatches(route, regex, header(route.Header))) continue;
            if (pool.Pick(route.Group, random) is { } pinned) return new RouteDecision(pinned, 200, service);
            break; // the version has no live backend: the request is served like any other
        }
        return pool.Pick(null, random) is { } chosen ? new RouteDecision(chosen, 200, service) : new RouteDecision(null, 503, service);
    }

    static bool HeaderMatches(HeaderRoute route, Regex? regex, IEnumerable<string> values)
    {
        foreach (var v in values)
        {
            var hit = route.Match switch
            {
                "prefix" => v.StartsWith(route.Value, StringComparison.Ordinal),
                "regex" => regex!.IsMatch(v),
                _ => string.Equals(v, route.Value, StringComparison.Ordinal),
            };
            if (hit) return true;
        }
        return false;
    }

    /// <summary>
    /// Kubernetes' order: the rules of the most specific matching host (exact, then a one-label wildcard,
    /// then rules without a host); among their paths the longest match wins, an Exact path before a Prefix
    /// of the same length. A host with rules but no matching path does not fall through to other hosts.
    /// </summary>
    string? MatchRule(string host, string path)
    {
        var exact = _exactHostRules.Where(r => string.Equals(r.Rule.Host, host, StringComparison.OrdinalIgnoreCase)).ToList();
        if (exact.Count > 0) return BestPath(exact, path);
        var wildcard = _wildcardRules.Where(r => WildcardMatches(r.Rule.Host!, host)).ToList();
        if (wildcard.Count > 0) return BestPath(wildcard, path);
        return BestPath(_anyHostRules, path);
    }

    static string? BestPath(List<(HttpRule Rule, string[] Segments)> rules, string path)
    {
        var requestSegments = Segments(path);
        HttpRule? best = null;
        var bestLength = -1;
        var bestExact = false;
        foreach (var (rule, segments) in rules)
        {
            var exact = rule.PathType == "Exact";
            if (exact ? rule.Path != path : !IsPrefix(segments, requestSegments)) continue;
            var length = rule.Path.TrimEnd('/').Length;
            if (length > bestLength || (length == bestLength && exact && !bestExact))
                (best, bestLength, bestExact) = (rule, length, exact);
        }
        return best?.Service;
    }

    /// <summary>Prefix matching is element-wise: /foo matches /foo, /foo/ and /foo/bar, never /foobar.</summary>
    static bool IsPrefix(string[] prefix, string[] path)
    {
        if (prefix.Length > path.Length) return false;
        for (var i = 0; i < prefix.Length; i++)
            if (!string.Equals(prefix[i], path[i], StringComparison.Ordinal)) return false;
        return true;
    }

    static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>"*.example.com" matches "a.example.com", not "example.com" nor "a.b.example.com".</summary>
    static bool WildcardMatches(string pattern, string host)
    {
        var suffix = pattern[1..]; // ".example.com"
        if (!host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return false;
        var label = host[..^suffix.Length];
        return label.Length > 0 && !label.Contains('.');
    }

    static string NormalizeHost(string? host)
    {
        if (string.IsNullOrEmpty(host)) return "";
        var colon = host.LastIndexOf(':');
        if (colon > 0 && host.IndexOf(']') < colon) host = host[..colon];
        return host.TrimEnd('.').ToLowerInvariant();
    }

    /// <summary>The backends of one service, with cumulative weights for the weighted draw, overall and per version.</summary>
    sealed class Pool
    {
        readonly List<HttpBackend> _all = [];
        readonly Dictionary<string, List<HttpBackend>> _byVersion = new(StringComparer.Ordinal);

        public void Add(HttpBackend b)
        {
            _all.Add(b);
            if (!_byVersion.TryGetValue(b.Version, out var list)) _byVersion[b.Version] = list = [];
            list.Add(b);
        }

        /// <summary>
        /// A weighted draw among backends with a weight. For a pinned version, backends of weight 0 count
        /// when none has a weight (the canary at 0 % still answers its header route).
        /// </summary>
        public HttpBackend? Pick(string? version, Random random)
        {
            List<HttpBackend>? list = _all;
            if (version is not null && !_byVersion.TryGetValue(version, out list)) return null;
            var total = 0;
            foreach (var b in list) total += b.Weight;
            if (total == 0) return version is not null && list.Count > 0 ? list[random.Next(list.Count)] : null;
            var n = random.Next(total);
            foreach (var b in list)
            {
                if (n < b.Weight) return b;
                n -= b.Weight;
            }
            return null;
        }
    }
}
