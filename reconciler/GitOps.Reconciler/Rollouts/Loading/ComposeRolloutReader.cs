using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Validation;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rollouts.Loading;

/// <summary>
/// A Compose or stack service's <c>x-rollout</c> (Argo Rollouts' canary and blue-green in Compose's terms) and the
/// top-level <c>x-analysis-templates</c> (name → args, metrics, dryRun). Field names are Argo's, one level up:
/// <code>
/// x-rollout:
///   strategy: canary          # or blue-green
///   protocol: http            # per-request weights, header routes, router metrics
///   steps: [{setWeight: 20}, {pause: {duration: 1m}}, {analysis: {templates: [{templateName: success-rate}]}}]
///   analysis: {templates: [...], metrics: [...], startingStep: 1}
/// </code>
/// A blue-green service's own address and published ports are its active side; <c>previewPort</c> publishes the preview.
/// </summary>
internal static class ComposeRolloutReader
{
    private static readonly string[] CanaryOnly = ["steps", "analysis", "maxSurge", "maxUnavailable", "dynamicStableScale", "minPodsPerReplicaSet"];
    private static readonly string[] BlueGreenOnly = ["previewPort", "previewReplicaCount", "autoPromotionEnabled", "autoPromotionSeconds", "prePromotionAnalysis", "postPromotionAnalysis"];

    public static Service Apply(Service service, YNode node, AnalysisReferences references, LoadContext ctx)
    {
        var before = ctx.Diagnostics.Items.Count(d => d.Severity == Diagnostics.Severity.Error);
        SchemaValidator.Validate(node, SchemaCatalog.XRollout, ctx.Diagnostics, node.Path);
        if (ctx.Diagnostics.Items.Count(d => d.Severity == Diagnostics.Severity.Error) > before || node is not YMapping x) return service;
        var r = ctx.Reader;
        var canary = r.String(x["strategy"]) == "canary";
        foreach (var key in canary ? BlueGreenOnly : CanaryOnly)
            if (x[key] is { } misplaced and not YScalar { IsNull: true })
                ctx.Diagnostics.Error(x.Entry(key)!.Key, $"'{key}' applies to the {(canary ? "blue-green" : "canary")} strategy, not to {(canary ? "canary" : "blue-green")}", "rollout.field-strategy");
        var owner = new RolloutOwner($"service {service.Name}", null, references);
        var spec = new RolloutSpec(
            canary ? RolloutStrategyKind.Canary : RolloutStrategyKind.BlueGreen,
            canary ? StrategyReader.Canary(x, owner, ctx) : null,
            canary ? null : StrategyReader.BlueGreen(x, owner, PreviewPortOf(x["previewPort"], service, ctx), needsActiveService: false, ctx),
            r.Seconds(x["progressDeadlineSeconds"], 1) ?? RolloutDefaults.ProgressDeadline,
            r.Bool(x["progressDeadlineAbort"]) ?? false,
            r.Bool(x["paused"]) ?? false,
            null)
        {
            HttpTraffic = r.String(x["protocol"]) is "http" || (x["protocol"] is null && service.Ports.Any(p => p.AppProtocol is "http" or "http2" or "h2c")),
        };
        if (service.Replication.Mode != ReplicationMode.Replicated)
            ctx.Diagnostics.Error(node, "x-rollout needs a replicated service (deploy.mode: replicated): a global service runs one task per node", "rollout.mode");
        return service with { Rollout = spec };
    }

    /// <summary>The host port the preview is published on; its container port defaults to the service's first published one.</summary>
    private static PreviewPort? PreviewPortOf(YNode? node, Service service, LoadContext ctx)
    {
        var r = ctx.Reader;
        PreviewPort? port = node switch
        {
            YScalar { IsNull: false } s => r.Int(s, 1, 65535) is { } n ? new PreviewPort(n, null) : null,
            YMapping m => r.Int(m["published"], 1, 65535) is { } p ? new PreviewPort(p, r.Int(m["target"], 1, 65535)) : null,
            _ => null,
        };
        if (port is null) return null;
        if (port.Target is null && service.Ports.Count == 0)
            ctx.Diagnostics.Error(node!, "previewPort needs a target: the service publishes no port to take it from", "rollout.preview-port");
        if (service.Ports.Any(p => p.Published == port.Published))
            ctx.Diagnostics.Error(node!, $"previewPort {port.Published} is already published by the service itself", "rollout.preview-port");
        return port;
    }

    /// <summary>Top-level <c>x-analysis-templates</c>: the AnalysisTemplates of a Compose application.</summary>
    public static void Templates(YNode node, ApplicationBuilder app, LoadContext ctx)
    {
        var before = ctx.Diagnostics.Items.Count(d => d.Severity == Diagnostics.Severity.Error);
        SchemaValidator.Validate(node, SchemaCatalog.XAnalysisTemplates, ctx.Diagnostics, node.Path);
        if (ctx.Diagnostics.Items.Count(d => d.Severity == Diagnostics.Severity.Error) > before || node is not YMapping map) return;
        foreach (var e in map.Entries)
        {
            if (e.Value is not YMapping t) continue;
            var dryRun = new List<string>();
            foreach (var item in ctx.Reader.Sequence(t["dryRun"])?.Items ?? [])
                if (ctx.Reader.Mapping(item) is { } d && ctx.Reader.String(d["metricName"]) is { } name) dryRun.Add(name);
            app.Add(new AnalysisTemplate(e.Key.Value, false, MetricReader.TemplateArgs(t["args"], ctx), MetricReader.Metrics(t["metrics"], ctx), [.. dryRun]), e.Key);
        }
    }
}
