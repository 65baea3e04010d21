using System.Globalization;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rendering;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rollouts.Rendering;

/// <summary>
/// A service's rollout and the application's analysis templates in the desired-state document, in Argo Rollouts'
/// words (a Compose <c>x-rollout</c> with every default spelled out), so <c>gitops render</c> shows what will happen
/// and <see cref="RolloutStateReader"/> reads it back through the same readers as the manifests. Job metrics carry
/// their pod template in the desired-state form.
/// </summary>
internal static class RolloutWriter
{
    public static YMapping? Write(RolloutSpec? spec)
    {
        if (spec is null) return null;
        var b = new NodeBuilder()
            .Str("strategy", spec.Strategy == RolloutStrategyKind.Canary ? "canary" : "blue-green")
            .Str("protocol", spec.HttpTraffic ? "http" : null)
            .Bool("paused", spec.Paused)
            .Int("progressDeadlineSeconds", Seconds(spec.ProgressDeadline))
            .Bool("progressDeadlineAbort", spec.ProgressDeadlineAbort)
            .Node("workloadRef", spec.WorkloadRef is { } w ? new NodeBuilder().Str("kind", w.Kind).Str("name", w.Name).Str("scaleDown", ScaleDown(w.ScaleDown)).Build() : null);
        if (spec.Canary is { } c)
        {
            b.Objects("steps", c.Steps, Step)
                .Str("canaryService", c.CanaryService)
                .Str("stableService", c.StableService)
                .Node("analysis", Analysis(c.Analysis))
                .Node("maxSurge", IntOrPercentNode(c.MaxSurge))
                .Node("maxUnavailable", IntOrPercentNode(c.MaxUnavailable))
                .Int("scaleDownDelaySeconds", Seconds(c.ScaleDownDelay))
                .Int("abortScaleDownDelaySeconds", c.AbortScaleDownDelay is { } a ? Seconds(a) : 0)
                .Bool("dynamicStableScale", c.DynamicStableScale)
                .Int("minPodsPerReplicaSet", c.MinPodsPerReplicaSet);
        }
        if (spec.BlueGreen is { } g)
        {
            b.Str("activeService", g.ActiveService)
                .Str("previewService", g.PreviewService)
                .Node("previewPort", g.PreviewPort is { } p ? new NodeBuilder().Int("published", p.Published).Int("target", p.Target).Build() : null)
                .Int("previewReplicaCount", g.PreviewReplicaCount)
                .Node("autoPromotionEnabled", Plain(g.AutoPromotionEnabled ? "true" : "false"))
                .Int("autoPromotionSeconds", g.AutoPromotionDelay > TimeSpan.Zero ? Seconds(g.AutoPromotionDelay) : null)
                .Int("scaleDownDelaySeconds", Seconds(g.ScaleDownDelay))
                .Int("abortScaleDownDelaySeconds", g.AbortScaleDownDelay is { } a ? Seconds(a) : 0)
                .Node("prePromotionAnalysis", Analysis(g.PrePromotionAnalysis))
                .Node("postPromotionAnalysis", Analysis(g.PostPromotionAnalysis));
        }
        return b.Build();
    }

    public static YMapping Template(AnalysisTemplate t) => new NodeBuilder()
        .Str("name", t.Name)
        .Bool("cluster", t.Cluster)
        .Objects("args", t.Args, a => new NodeBuilder()
            .Str("name", a.Name)
            .Str("value", a.Value)
            .Node("valueFrom", a.Secret is { } s ? new NodeBuilder().Node("secretKeyRef", new NodeBuilder().Str("name", s.Name).Str("key", s.Key).Build()).Build() : null)
            .Build())
        .Objects("metrics", t.Metrics, Metric)
        .Objects("dryRun", t.DryRun, d => new NodeBuilder().Str("metricName", d).Build())
        .Build();

    private static YMapping Step(CanaryStep s) => s.Kind switch
    {
        CanaryStepKind.SetWeight => new NodeBuilder().Int("setWeight", s.Weight).Build(),
        // "pause: {}" is written by hand: the builder leaves empty mappings out, and an empty pause means "until promoted".
        CanaryStepKind.Pause => s.Duration is { } d
            ? new NodeBuilder().Node("pause", new NodeBuilder().Str("duration", GoDuration.Format(d)).Build()).Build()
            : new YMapping([new YEntry(NodeBuilder.Text("pause"), new YMapping([], SourceMark.None, ""))], SourceMark.None, ""),
        CanaryStepKind.Analysis => new NodeBuilder().Node("analysis", Analysis(s.Analysis)).Build(),
        CanaryStepKind.SetCanaryScale => new NodeBuilder().Node("setCanaryScale", new NodeBuilder()
            .Int("replicas", s.Scale?.Replicas).Int("weight", s.Scale?.Weight).Bool("matchTrafficWeight", s.Scale?.MatchTrafficWeight ?? false).Build()).Build(),
        _ => new NodeBuilder().Node("setHeaderRoute", new NodeBuilder()
            .Str("name", s.HeaderRoute?.Name)
            .Objects("match", s.HeaderRoute?.Matches ?? [], m => new NodeBuilder()
                .Str("headerName", m.Header)
                .Node("headerValue", new NodeBuilder().Str(m.Kind.ToString().ToLowerInvariant(), m.Value).Build())
                .Build())
            .Build()).Build(),
    };

    private static YMapping? Analysis(RolloutAnalysis? a) => a is null ? null : new NodeBuilder()
        .Objects("templates", a.Templates, t => new NodeBuilder().Str("templateName", t.Name).Bool("clusterScope", t.ClusterScope).Build())
        .Objects("metrics", a.Metrics, Metric)
        .Objects("args", a.Args, arg => new NodeBuilder()
            .Str("name", arg.Name)
            .Str("value", arg.PodTemplateHash is null ? arg.Value ?? "" : null)
            .Node("valueFrom", arg.PodTemplateHash is { } h ? new NodeBuilder().Str("podTemplateHashValue", h.ToString()).Build() : null)
            .Build())
        .Objects("dryRun", a.DryRun, d => new NodeBuilder().Str("metricName", d).Build())
        .Int("startingStep", a.StartingStep)
        .Build();

    private static YMapping Metric(AnalysisMetric m) => new NodeBuilder()
        .Str("name", m.Name)
        .Str("interval", m.Interval)
        .Str("initialDelay", m.InitialDelay)
        .Str("count", m.Count)
        .Str("successCondition", m.SuccessCondition)
        .Str("failureCondition", m.FailureCondition)
        .Str("failureLimit", m.FailureLimit)
        .Str("inconclusiveLimit", m.InconclusiveLimit)
        .Str("consecutiveErrorLimit", m.ConsecutiveErrorLimit)
        .Str("consecutiveSuccessLimit", m.ConsecutiveSuccessLimit)
        .Node("provider", Provider(m.Provider))
        .Build();

    private static YMapping Provider(MetricProvider p) => p.Kind switch
    {
        MetricProviderKind.Router when p.Router is { } r => new NodeBuilder().Node("router", new NodeBuilder()
            .Str("metric", RouterName(r.Metric)).Str("window", r.Window).Str("version", r.Version == PodTemplateHashValue.Stable ? "stable" : "latest").Build()).Build(),
        MetricProviderKind.Web when p.Web is { } w => new NodeBuilder().Node("web", new NodeBuilder()
            .Str("url", w.Url).Str("method", w.Method).Objects("headers", w.Headers, Header).Str("body", w.Body).Str("jsonBody", w.JsonBody)
            .Str("jsonPath", w.JsonPath).Int("timeoutSeconds", w.TimeoutSeconds).Bool("insecure", w.Insecure).Build()).Build(),
        MetricProviderKind.Prometheus when p.Prometheus is { } q => new NodeBuilder().Node("prometheus", new NodeBuilder()
            .Str("address", q.Address).Str("query", q.Query).Int("timeout", q.TimeoutSeconds).Objects("headers", q.Headers, Header).Bool("insecure", q.Insecure).Build()).Build(),
        _ when p.Job is { } j => new NodeBuilder().Node("job", new NodeBuilder()
            .Node("template", DesiredStateWriter.Template(j.Template)).Int("backoffLimit", j.BackoffLimit)
            .Int("activeDeadlineSeconds", j.ActiveDeadline is { } d ? Seconds(d) : null).Build()).Build(),
        _ => new NodeBuilder().Build(),
    };

    public static string RouterName(RouterMetricKind kind) => kind switch
    {
        RouterMetricKind.SuccessRate => "successRate",
        RouterMetricKind.ErrorRate => "errorRate",
        RouterMetricKind.LatencyP50 => "latencyP50",
        RouterMetricKind.LatencyP95 => "latencyP95",
        RouterMetricKind.LatencyP99 => "latencyP99",
        _ => "requestCount",
    };

    private static YMapping Header(MetricHeader h) => new NodeBuilder().Str("key", h.Key).Str("value", h.Value).Build();

    private static string ScaleDown(WorkloadScaleDown s) => s switch
    {
        WorkloadScaleDown.OnSuccess => "onsuccess",
        WorkloadScaleDown.Progressively => "progressively",
        _ => "never",
    };

    private static YNode IntOrPercentNode(IntOrPercent v) => v.Percent
        ? NodeBuilder.Text(v.Value.ToString(CultureInfo.InvariantCulture) + "%")
        : NodeBuilder.Number(v.Value);

    private static YScalar Plain(string text) => new(text, plain: true, SourceMark.None, "");

    private static long Seconds(TimeSpan t) => (long)t.TotalSeconds;
}
