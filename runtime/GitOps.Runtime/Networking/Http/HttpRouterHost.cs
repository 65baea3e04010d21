using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace GitOps.Runtime.Networking.Http;

/// <summary>
/// One http router: Kestrel listening on the router's virtual IP (the host owns that address on the
/// network's bridge, so containers reach it directly and published ports are DNATed to it), and YARP
/// forwarding each request to the backend <see cref="HttpRouteTable"/> picks. YARP's configuration is
/// set in code through its in-memory provider (no configuration binding, so NativeAOT keeps what it
/// needs): one catch-all route to one cluster whose destinations are the live backends. A change
/// swaps the table and YARP's config; requests in flight finish on the backend they started on.
/// One WebApplication per router keeps listeners, certificates and connection pools apart, and lets a
/// router start and stop without touching the others.
/// </summary>
internal sealed class HttpRouterHost : IAsyncDisposable
{
    const string ClusterId = "backends";

    readonly string _name;
    readonly WebApplication _app;
    readonly InMemoryConfigProvider _config;
    readonly RouterMetrics _metrics;
    readonly ConcurrentDictionary<string, StrongBox> _inFlight = new(StringComparer.Ordinal);
    readonly TlsCertificates _certificates;
    volatile HttpRouteTable _table;

    HttpRouterHost(string name, WebApplication app, InMemoryConfigProvider config, RouterMetrics metrics, TlsCertificates certificates, HttpRouteTable table)
    {
        _name = name;
        _app = app;
        _config = config;
        _metrics = metrics;
        _certificates = certificates;
        _table = table;
    }

    public RouterMetrics Metrics => _metrics;

    /// <summary>Requests forwarded to this backend (by <see cref="HttpBackend.Key"/>) and not finished yet, whether it is still a backend or not.</summary>
    public int InFlight(string key) => _inFlight.TryGetValue(key, out var n) ? Volatile.Read(ref n.Value) : 0;

    public static async Task<HttpRouterHost> StartAsync(string name, IPAddress address, int port, int? tlsPort, TlsCertificates certificates, HttpRouteTable table)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "gitops-router-" + name, ContentRootPath = "/" });
        builder.WebHost.UseKestrelCore();
        // The router's address is the host's; a host port equal to the router's port is held by a
        // bound (not listening) socket on 0.0.0.0, which Linux lets a listener on a specific address
        // share only when both sockets allow address reuse.
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ReusableListenSocket);
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxRequestBodySize = null; // the backend decides what it accepts
            o.Listen(address, port, l => l.Protocols = HttpProtocols.Http1);
            if (tlsPort is { } tp)
                o.Listen(address, tp, l =>
                {
                    l.Protocols = HttpProtocols.Http1AndHttp2;
                    l.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, host) => certificates.Select(host) });
                });
        });
        builder.Services.AddRoutingCore();
        var config = new InMemoryConfigProvider(Routes(), [Cluster(table)]);
        builder.Services.AddSingleton<IProxyConfigProvider>(config);
        builder.Services.AddReverseProxy();
        var app = builder.Build();
        var host = new HttpRouterHost(name, app, config, new RouterMetrics(), certificates, table);
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(host.Choose);
            proxy.Use(host.Observe);
        });
        await app.StartAsync();
        return host;
    }

    static Socket ReusableListenSocket(EndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>New backends, weights, readiness or routes: new requests see them at once; YARP's config follows.</summary>
    public void Update(HttpRouteTable table, IReadOnlyList<TlsBinding> tls)
    {
        _certificates.Update(tls);
        _table = table;
        _config.Update(Routes(), [Cluster(table)]);
    }

    static IReadOnlyList<RouteConfig> Routes() =>
    [
        new RouteConfig
        {
            RouteId = "all", ClusterId = ClusterId, Match = new RouteMatch { Path = "/{**catch-all}" },
            // Backends see the Host the client asked for, as behind an ingress controller (YARP's default
            // would send the destination's address), plus X-Forwarded-For/Proto/Host (YARP's defaults).
            Transforms = [new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" }],
        },
    ];

    static ClusterConfig Cluster(HttpRouteTable table) => new()
    {
        ClusterId = ClusterId,
        Destinations = table.Backends.ToDictionary(b => b.Key, b => new DestinationConfig { Address = $"http://{b.Ip}:{b.Port}/" }, StringComparer.Ordinal),
        // A backend that is slow to answer is the backend's business; a stuck one is cut after this.
        HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100) },
    };

    /// <summary>
    /// Picks the backend from the current table and narrows YARP's candidates to it. A backend that left
    /// the table (drained) is never chosen, even in the moment before YARP has applied the new config.
    /// </summary>
    async Task Choose(HttpContext ctx, Func<Task> next)
    {
        var table = _table;
        var feature = ctx.GetReverseProxyFeature();
        var headers = ctx.Request.Headers;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var decision = table.Select(ctx.Request.Host.Value, ctx.Request.Path.Value ?? "/", h => Values(headers, h), Random.Shared);
            if (decision.Backend is not { } backend)
            {
                await Answer(ctx, decision.Status, decision.Service);
                return;
            }
            // A backend added a moment ago may not be in YARP's state yet: draw again.
            var destination = feature.AllDestinations.FirstOrDefault(d => d.DestinationId == backend.Key);
            if (destination is null) continue;
            feature.AvailableDestinations = [destination];
            ctx.Items[typeof(HttpBackend)] = backend;
            await next();
            return;
        }
        await Answer(ctx, 503, "");
    }

    static IEnumerable<string> Values(IHeaderDictionary headers, string name)
    {
        if (!headers.TryGetValue(name, out var values)) yield break;
        foreach (var v in values)
            if (v is not null) yield return v;
    }

    async Task Answer(HttpContext ctx, int status, string service)
    {
        var sw = Stopwatch.GetTimestamp();
        ctx.Response.StatusCode = status;
        await ctx.Response.WriteAsync(status == 404 ? "404 page not found\n" : "503 no backend is ready\n");
        Record(service, "", StatusClasses.Of(status), Stopwatch.GetElapsedTime(sw).TotalSeconds);
    }

    /// <summary>Counts the request in flight for its backend while YARP forwards it, then records status class and latency.</summary>
    async Task Observe(HttpContext ctx, Func<Task> next)
    {
        var backend = (HttpBackend)ctx.Items[typeof(HttpBackend)]!;
        var counter = _inFlight.GetOrAdd(backend.Key, _ => new StrongBox());
        var tags = new TagList { { "router", _name }, { "service", backend.Service }, { "version", backend.Version } };
        Interlocked.Increment(ref counter.Value);
        RouterTelemetry.InFlight.Add(1, tags);
        var start = Stopwatch.GetTimestamp();
        try { await next(); }
        finally
        {
            Interlocked.Decrement(ref counter.Value);
            RouterTelemetry.InFlight.Add(-1, tags);
            var error = ctx.Features.Get<IForwarderErrorFeature>();
            var status = error is not null && error.Error is not ForwarderError.None ? ClassOf(error.Error) : StatusClasses.Of(ctx.Response.StatusCode);
            Record(backend.Service, backend.Version, status, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    /// <summary>
    /// No response from the backend (refused, reset, timed out) is a connection error; a client that went
    /// away mid-request is the client's (counted as 4xx, as nginx's 499).
    /// </summary>
    static StatusClass ClassOf(ForwarderError error) => error switch
    {
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient
            or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient => StatusClass.ClientError,
        _ => StatusClass.Error,
    };

    void Record(string service, string version, StatusClass status, double seconds)
    {
        _metrics.Record(service, version, status, seconds);
        var tags = new TagList { { "router", _name }, { "service", service }, { "version", version } };
        RouterTelemetry.Duration.Record(seconds, tags);
        tags.Add("status_class", status.Name());
        RouterTelemetry.Requests.Add(1, tags);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(cts.Token); }
        catch (OperationCanceledException) { }
        await _app.DisposeAsync();
        _certificates.Dispose();
    }

    sealed class StrongBox
    {
        public int Value;
    }
}
