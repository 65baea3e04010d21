using System.Net;
using GitOps.Runtime.Networking.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GitOps.Cli.Daemon;

/// <summary>
/// The daemon's metrics in Prometheus' text format on an opt-in TCP listener (`--metrics-listen`, as
/// dockerd's metrics-addr): GET /metrics and nothing else, from OpenTelemetry's Prometheus exporter.
/// Its own Kestrel, apart from the API: the API socket stays root-only whatever this listener allows.
/// Served: the http routers' requests per router, service, version and status class, their latency
/// histograms and requests in flight, and the reconciler's metrics. No label carries a secret.
/// </summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly MeterProvider _meters;

    MetricsServer(WebApplication app, MeterProvider meters) => (_app, _meters) = (app, meters);

    public static async Task<MetricsServer> StartAsync(string listen)
    {
        var endpoint = IPEndPoint.TryParse(listen.StartsWith(':') ? "0.0.0.0" + listen : listen, out var ep) && ep.Port > 0 ? ep
            : throw new InvalidOperationException($"invalid metrics listen address \"{listen}\": expected ADDRESS:PORT such as 127.0.0.1:9323");
        var meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService("gitops", serviceVersion: BuildInfo.Version))
            .AddMeter(RouterTelemetry.MeterName, Reconciler.Reconcile.Metrics.Meter.Name)
            .AddPrometheusExporter()
            .Build();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Listen(endpoint);
            o.AddServerHeader = false;
        });
        var app = builder.Build();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, ctx => ctx.Request.Path == "/metrics", "/metrics", null, null);
        app.Run(ctx =>
        {
            ctx.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        try { await app.StartAsync(); }
        catch (IOException e)
        {
            meters.Dispose();
            throw new InvalidOperationException($"cannot serve metrics on {endpoint}: {e.Message}");
        }
        return new MetricsServer(app, meters);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _meters.Dispose();
    }
}
