using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Rollouts.Loading;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rollouts.Rendering;

/// <summary>
/// Reads back what <see cref="RolloutWriter"/> wrote, through the manifest readers (<see cref="StrategyReader"/>,
/// <see cref="MetricReader"/>), so a rendered rollout means exactly what the manifest meant. Unknown fields are errors,
/// as everywhere in the desired-state format.
/// </summary>
internal static class RolloutStateReader
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "strategy", "protocol", "paused", "progressDeadlineSeconds", "progressDeadlineAbort", "workloadRef",
        "steps", "canaryService", "stableService", "analysis", "maxSurge", "maxUnavailable", "scaleDownDelaySeconds",
        "abortScaleDownDelaySeconds", "dynamicStableScale", "minPodsPerReplicaSet",
        "activeService", "previewService", "previewPort", "previewReplicaCount", "autoPromotionEnabled", "autoPromotionSeconds",
        "prePromotionAnalysis", "postPromotionAnalysis",
    };

    public static RolloutSpec? Read(YNode? node, string service, AnalysisReferences references, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (r.Mapping(node) is not { } m) return null;
        foreach (var e in m.Entries.Where(e => !Known.Contains(e.Key.Value)))
            ctx.Diagnostics.Error(e.Key, $"unknown field '{e.Key.Value}'", "state.unknown-field");
        var owner = new RolloutOwner($"service {service}", null, references);
        var strategy = r.String(m["strategy"]);
        if (strategy is not ("canary" or "blue-green"))
        {
            ctx.Diagnostics.Error(m["strategy"] ?? m, "expected strategy canary or blue-green", "manifest.enum");
            return null;
        }
        WorkloadRef? workloadRef = null;
        if (r.Mapping(m["workloadRef"]) is { } w)
        {
            var scaleDown = r.String(w["scaleDown"]) switch { "onsuccess" => WorkloadScaleDown.OnSuccess, "progressively" => WorkloadScaleDown.Progressively, _ => WorkloadScaleDown.Never };
            workloadRef = new WorkloadRef(r.String(w["kind"]) ?? "Deployment", r.String(w["name"]) ?? "", scaleDown);
        }
        PreviewPort? previewPort = null;
        if (r.Mapping(m["previewPort"]) is { } p && r.Int(p["published"], 1, 65535) is { } published)
            previewPort = new PreviewPort(published, r.Int(p["target"], 1, 65535));
        var canary = strategy == "canary";
        return new RolloutSpec(
            canary ? RolloutStrategyKind.Canary : RolloutStrategyKind.BlueGreen,
            canary ? StrategyReader.Canary(m, owner, ctx) : null,
            canary ? null : StrategyReader.BlueGreen(m, owner, previewPort, needsActiveService: false, ctx),
            r.Seconds(m["progressDeadlineSeconds"], 1) ?? RolloutDefaults.ProgressDeadline,
            r.Bool(m["progressDeadlineAbort"]) ?? false,
            r.Bool(m["paused"]) ?? false,
            workloadRef)
        {
            HttpTraffic = r.String(m["protocol"]) == "http",
        };
    }

    public static AnalysisTemplate? Template(YNode? node, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (r.Mapping(node) is not { } m) return null;
        foreach (var e in m.Entries.Where(e => e.Key.Value is not ("name" or "cluster" or "args" or "metrics" or "dryRun")))
            ctx.Diagnostics.Error(e.Key, $"unknown field '{e.Key.Value}'", "state.unknown-field");
        var dryRun = new List<string>();
        foreach (var item in r.Sequence(m["dryRun"])?.Items ?? [])
            if (r.Mapping(item) is { } d && r.String(d["metricName"]) is { } name) dryRun.Add(name);
        return new AnalysisTemplate(r.RequiredString(m["name"], m, "name") ?? "", r.Bool(m["cluster"]) ?? false,
            MetricReader.TemplateArgs(m["args"], ctx), MetricReader.Metrics(m["metrics"], ctx), [.. dryRun]);
    }
}
