using GitOps.Reconciler.Reconcile;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GitOps.Cli.Daemon;

/// <summary>
/// OpenTelemetry for the reconciler: one trace per reconcile (fetch, load, diff and each applied step as
/// spans) and its metrics, to an OTLP endpoint and/or the console. Nothing is collected when neither is set.
/// </summary>
internal static class Telemetry
{
    public static IDisposable? Start(string? otlpEndpoint, bool console)
    {
        if (otlpEndpoint is null && !console) return null;
        var resource = ResourceBuilder.CreateDefault().AddService("gitops", serviceVersion: BuildInfo.Version);
        var traces = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(Executor.Source.Name);
        var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(Metrics.Meter.Name);
        if (otlpEndpoint is not null)
        {
            traces.AddOtlpExporter(o => o.Endpoint = new Uri(otlpEndpoint));
            metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlpEndpoint));
        }
        if (console)
        {
            traces.AddConsoleExporter();
            metrics.AddConsoleExporter();
        }
        return new Both(traces.Build(), metrics.Build());
    }

    sealed class Both(IDisposable? a, IDisposable? b) : IDisposable
    {
        public void Dispose()
        {
            a?.Dispose();
            b?.Dispose();
        }
    }
}
