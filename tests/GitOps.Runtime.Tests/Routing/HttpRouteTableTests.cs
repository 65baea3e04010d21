using GitOps.Runtime.Networking.Http;

namespace GitOps.Runtime.Tests.Routing;

/// <summary>
/// The http router's per-request choice: weighted draws, Argo's setHeaderRoute (exact, prefix, regex),
/// and Kubernetes Ingress host/path rules (exact host before a one-label wildcard before no host;
/// longest path, Exact before Prefix of the same length; element-wise prefixes).
/// </summary>
public sealed class HttpRouteTableTests
{
    static HttpBackend B(string key, int weight, string version = "stable", string service = "web") =>
        new(key, key, "10.0.0.1", 80, weight, service, version);

    static Func<string, IEnumerable<string>> Headers(params (string Name, string Value)[] headers) =>
        name => headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    static readonly Func<string, IEnumerable<string>> NoHeaders = Headers();

    static Dictionary<string, int> Draw(HttpRouteTable table, int n, Func<string, IEnumerable<string>>? headers = null, string path = "/")
    {
        var random = new Random(42);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < n; i++)
        {
            var d = table.Select("shop.example", path, headers ?? NoHeaders, random);
            var key = d.Backend?.Key ?? d.Status.ToString();
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    [Fact]
    public void Weights_90_10_give_about_a_tenth_of_the_requests_and_weight_0_none()
    {
        var table = new HttpRouteTable(null, [B("stable", 90), B("canary", 10, "canary")]);
        var counts = Draw(table, 10_000);
        Assert.InRange(counts["canary"], 900, 1100);
        Assert.Equal(10_000, counts["stable"] + counts["canary"]);

        var zero = new HttpRouteTable(null, [B("stable", 1), B("canary", 0, "canary")]);
        Assert.Equal(new Dictionary<string, int> { ["stable"] = 1000 }, Draw(zero, 1000));
    }

    [Fact]
    public void No_backend_or_all_weights_0_answers_503()
    {
        Assert.Equal(503, new HttpRouteTable(null, []).Select("h", "/", NoHeaders, Random.Shared).Status);
        Assert.Equal(503, new HttpRouteTable(null, [B("a", 0)]).Select("h", "/", NoHeaders, Random.Shared).Status);
    }

    [Theory]
    [InlineData("exact", "always", "always", true)]
    [InlineData("exact", "always", "Always", false)]
    [InlineData("exact", "always", "alwaysx", false)]
    [InlineData("prefix", "beta", "beta-tester", true)]
    [InlineData("prefix", "beta", "xbeta", false)]
    [InlineData("regex", "^(ios|android)-[0-9]+$", "ios-17", true)]
    [InlineData("regex", "^(ios|android)-[0-9]+$", "web-17", false)]
    public void A_header_route_pins_matching_requests_to_its_version_even_at_weight_0(string match, string value, string sent, bool pinned)
    {
        var settings = new HttpRouterSettings { HeaderRoutes = [new HeaderRoute { Header = "X-Canary", Match = match, Value = value, Group = "canary" }] };
        var table = new HttpRouteTable(settings, [B("stable", 100), B("canary", 0, "canary")]);
        var counts = Draw(table, 200, Headers(("x-canary", sent)));
        Assert.Equal(pinned ? "canary" : "stable", Assert.Single(counts).Key);
    }

    [Fact]
    public void Header_routes_are_tried_in_order_and_a_version_without_backends_falls_back_to_weights()
    {
        var settings = new HttpRouterSettings
        {
            HeaderRoutes =
            [
                new HeaderRoute { Header = "X-V", Value = "b", Group = "gone" },
                new HeaderRoute { Header = "X-V", Match = "prefix", Value = "", Group = "canary" },
            ],
        };
        var table = new HttpRouteTable(settings, [B("stable", 1), B("canary", 0, "canary")]);
        // "a" skips the first route and matches the empty prefix.
        Assert.Equal("canary", table.Select("h", "/", Headers(("X-V", "a")), Random.Shared).Backend!.Key);
        // "b" matches the first route, whose version has no backend: served by weight, not by the next route.
        Assert.Equal("stable", table.Select("h", "/", Headers(("X-V", "b")), Random.Shared).Backend!.Key);
        // No header: by weight.
        Assert.Equal("stable", table.Select("h", "/", NoHeaders, Random.Shared).Backend!.Key);
    }

    [Fact]
    public void A_pinned_version_is_drawn_by_its_own_weights()
    {
        var settings = new HttpRouterSettings { HeaderRoutes = [new HeaderRoute { Header = "X-V", Value = "1", Group = "canary" }] };
        var table = new HttpRouteTable(settings, [B("s", 10), B("c1", 3, "canary"), B("c2", 1, "canary")]);
        var counts = Draw(table, 4000, Headers(("X-V", "1")));
        Assert.False(counts.ContainsKey("s"));
        Assert.InRange(counts["c1"], 2800, 3200);
    }

    static HttpRouteTable Ingress(string? defaultService = null) => new(
        new HttpRouterSettings
        {
            Rules =
            [
                new HttpRule { Host = "shop.example", Path = "/", Service = "shop" },
                new HttpRule { Host = "shop.example", Path = "/api", Service = "api" },
                new HttpRule { Host = "shop.example", Path = "/api/v1", PathType = "Exact", Service = "v1" },
                new HttpRule { Host = "*.example", Path = "/", Service = "wild" },
                new HttpRule { Path = "/static", Service = "static" },
            ],
            DefaultService = defaultService,
        },
        [B("shop", 1, service: "shop"), B("api", 1, service: "api"), B("v1", 1, service: "v1"), B("wild", 1, service: "wild"),
         B("static", 1, service: "static"), B("fallback", 1, service: "fallback")]);

    [Theory]
    [InlineData("shop.example", "/", "shop")]
    [InlineData("SHOP.example:8080", "/cart", "shop")]
    [InlineData("shop.example", "/api", "api")]
    [InlineData("shop.example", "/api/", "api")]
    [InlineData("shop.example", "/api/v2", "api")]
    [InlineData("shop.example", "/apix", "shop")]
    [InlineData("shop.example", "/api/v1", "v1")]
    [InlineData("shop.example", "/api/v1/x", "api")]
    [InlineData("a.example", "/static", "wild")]
    [InlineData("a.b.example", "/static", "static")]
    [InlineData("example", "/static/app.js", "static")]
    [InlineData("other", "/Static", "404")]
    [InlineData("other", "/", "404")]
    public void Ingress_rules_pick_the_service_as_Kubernetes_does(string host, string path, string expected)
    {
        var d = Ingress().Select(host, path, NoHeaders, Random.Shared);
        Assert.Equal(expected, d.Backend?.Service ?? d.Status.ToString());
    }

    [Fact]
    public void The_default_service_takes_what_no_rule_matches_and_a_service_without_backends_is_503()
    {
        Assert.Equal("fallback", Ingress("fallback").Select("other", "/", NoHeaders, Random.Shared).Backend!.Service);
        var d = Ingress("nobody").Select("other", "/", NoHeaders, Random.Shared);
        Assert.Equal((503, "nobody"), (d.Status, d.Service));
    }

    [Fact]
    public void A_catastrophic_regex_cannot_stall_a_request()
    {
        var settings = new HttpRouterSettings { HeaderRoutes = [new HeaderRoute { Header = "X", Match = "regex", Value = "^(a+)+$", Group = "canary" }] };
        var table = new HttpRouteTable(settings, [B("stable", 1), B("canary", 0, "canary")]);
        // Exponential for a backtracking engine; linear for the non-backtracking one the table uses.
        var d = table.Select("h", "/", Headers(("X", new string('a', 5000) + "!")), Random.Shared);
        Assert.Equal("stable", d.Backend!.Key);
    }
}
