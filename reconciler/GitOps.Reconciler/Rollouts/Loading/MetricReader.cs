using System.Globalization;
using GitOps.Reconciler.Kubernetes;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Analysis.Expressions;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rollouts.Loading;

/// <summary>
/// Reads Argo Rollouts' metrics and template arguments (an AnalysisTemplate's spec, or metrics written in place in a
/// Compose <c>x-rollout</c>). The schema has checked the shape; this checks what it cannot: numbers and durations
/// that are text (they may hold <c>{{args.X}}</c>, checked when the run resolves them), conditions that must parse,
/// exactly one provider, and the providers gitops does not run (reported, never ignored in silence).
/// </summary>
internal static class MetricReader
{
    /// <summary>The metric plugin name a Kubernetes AnalysisTemplate uses for gitops' router metrics.</summary>
    public const string RouterPlugin = "gitops/router";

    public static ValueList<AnalysisMetric> Metrics(YNode? node, LoadContext ctx)
    {
        var list = new List<AnalysisMetric>();
        var names = new Dictionary<string, YNode>(StringComparer.Ordinal);
        foreach (var item in ctx.Reader.Sequence(node)?.Items ?? [])
        {
            if (ctx.Reader.Mapping(item) is not { } m) continue;
            var name = ctx.Reader.RequiredString(m["name"], m, "name");
            if (name is null) continue;
            if (!names.TryAdd(name, m)) ctx.Diagnostics.Error(m["name"]!, $"duplicate metric '{name}' (first declared at {names[name].Mark})", "rollout.metric-duplicate");
            if (Metric(name, m, ctx) is { } metric) list.Add(metric);
        }
        return [.. list];
    }

    private static AnalysisMetric? Metric(string name, YMapping m, LoadContext ctx)
    {
        var provider = Provider(m["provider"], m, ctx);
        foreach (var key in new[] { "successCondition", "failureCondition" })
            if (ctx.Reader.String(m[key]) is { } text && !Placeholders.Contains(text) && Condition.Check(text) is { } error)
                ctx.Diagnostics.Error(m[key]!, $"{key} of metric '{name}' does not parse: {error.Message}", "rollout.condition");
        var metric = new AnalysisMetric(name,
            DurationText(m["interval"], ctx), DurationText(m["initialDelay"], ctx), IntText(m["count"], 0, ctx),
            ctx.Reader.String(m["successCondition"]), ctx.Reader.String(m["failureCondition"]),
            IntText(m["failureLimit"], -1, ctx), IntText(m["inconclusiveLimit"], 0, ctx), IntText(m["consecutiveErrorLimit"], 0, ctx),
            IntText(m["consecutiveSuccessLimit"], 0, ctx), provider ?? new MetricProvider(MetricProviderKind.Router));
        if (provider is null) return null;
        // Argo's own checks (count against limits, interval with count > 1), when nothing waits for an argument.
        var errors = new List<string>();
        if (MetricResolver.Resolve(metric, EmptyArgs, errors) is null && errors.Count > 0 && !errors.Any(e => e.Contains("args.", StringComparison.Ordinal)))
            foreach (var e in errors) ctx.Diagnostics.Error(m, $"metric '{name}': {e}", "rollout.metric");
        return metric;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyArgs = new Dictionary<string, string>();

    private static MetricProvider? Provider(YNode? node, YMapping metric, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (r.Mapping(node) is not { } p)
        {
            ctx.Diagnostics.Error(node ?? metric, "a metric needs a provider (web, prometheus, job, or gitops' router)", "rollout.provider");
            return null;
        }
        var set = p.Entries.Where(e => e.Value is not YScalar { IsNull: true }).ToList();
        if (set.Count != 1)
        {
            ctx.Diagnostics.Error(p, $"a metric needs exactly one provider, got {(set.Count == 0 ? "none" : string.Join(", ", set.Select(e => e.Key.Value)))}", "rollout.provider");
            return null;
        }
        var entry = set[0];
        switch (entry.Key.Value)
        {
            case "web" when r.Mapping(entry.Value) is { } web: return Web(web, ctx);
            case "prometheus" when r.Mapping(entry.Value) is { } prom: return Prometheus(prom, ctx);
            case "job" when r.Mapping(entry.Value) is { } job: return Job(job, ctx);
            case "router" when r.Mapping(entry.Value) is { } router: return Router(router, ctx);
            case "plugin" when r.Mapping(entry.Value) is { } plugin:
                if (plugin.Count == 1 && plugin.Entries[0].Key.Value == RouterPlugin && r.Mapping(plugin.Entries[0].Value) is { } routerPlugin)
                    return Router(routerPlugin, ctx);
                // An error, not a warning: dropping a metric would quietly weaken the gate the analysis is.
                ctx.Diagnostics.Error(plugin, $"metric plugin {string.Join(", ", plugin.Keys)} is not supported: gitops measures with web, prometheus, job and its own router ('{RouterPlugin}')", "rollout.provider-unsupported");
                return null;
            case "web" or "prometheus" or "job" or "router" or "plugin":
                ctx.Diagnostics.Error(entry.Value, $"provider {entry.Key.Value} must be a mapping", "rollout.provider");
                return null;
            default:
                ctx.Diagnostics.Error(entry.Key, $"metric provider '{entry.Key.Value}' is not supported by gitops: use web, prometheus, job or the router ('{RouterPlugin}')", "rollout.provider-unsupported");
                return null;
        }
    }

    private static MetricProvider? Web(YMapping w, LoadContext ctx)
    {
        var r = ctx.Reader;
        var url = r.RequiredString(w["url"], w, "url");
        if (url is null) return null;
        if (!Placeholders.Contains(url) && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            ctx.Diagnostics.Error(w["url"]!, $"expected an http or https URL, got \"{url}\"", "rollout.web-url");
        var method = r.String(w["method"]) ?? "GET";
        if (method is not ("GET" or "POST" or "PUT"))
            ctx.Diagnostics.Error(w["method"]!, $"expected one of GET, POST, PUT, got \"{method}\"", "manifest.enum");
        var body = r.String(w["body"]);
        string? jsonBody = null;
        if (w["jsonBody"] is { } jb and not YScalar { IsNull: true })
            jsonBody = Validation.NodeToJson.Convert(jb, new Dictionary<Newtonsoft.Json.Linq.JToken, YNode>(ReferenceEqualityComparer.Instance)).ToString(Newtonsoft.Json.Formatting.None);
        if (body is not null && jsonBody is not null)
            ctx.Diagnostics.Error(w["jsonBody"]!, "body and jsonBody may not both be set", "rollout.web-body");
        if ((body ?? jsonBody) is not null && method == "GET")
            ctx.Diagnostics.Error(w["method"] ?? w, "a body needs method POST or PUT", "rollout.web-body");
        return new MetricProvider(MetricProviderKind.Web, Web: new WebMetric(url, method, Headers(w["headers"], ctx), body, jsonBody,
            r.String(w["jsonPath"]), r.Int(w["timeoutSeconds"], 1) ?? RolloutDefaults.WebTimeoutSeconds, r.Bool(w["insecure"]) ?? false));
    }

    private static MetricProvider? Prometheus(YMapping p, LoadContext ctx)
    {
        var r = ctx.Reader;
        var address = r.RequiredString(p["address"], p, "address");
        var query = r.RequiredString(p["query"], p, "query");
        if (address is null || query is null) return null;
        foreach (var key in new[] { "authentication", "rangeQuery" })
            if (p[key] is { } extra and not YScalar { IsNull: true })
                ctx.Diagnostics.Error(extra, $"prometheus {key} is not supported by gitops; put credentials in headers", "rollout.provider-unsupported");
        var timeout = r.Long(p["timeout"], 1) is { } t ? (int)Math.Min(t, int.MaxValue) : RolloutDefaults.PrometheusTimeoutSeconds;
        return new MetricProvider(MetricProviderKind.Prometheus, Prometheus: new PrometheusMetric(address, query, timeout, Headers(p["headers"], ctx), r.Bool(p["insecure"]) ?? false));
    }

    private static MetricProvider? Job(YMapping job, LoadContext ctx)
    {
        var r = ctx.Reader;
        // The desired-state form (gitops render): the pod template as the model writes it.
        if (job["spec"] is null && r.Mapping(job["template"]) is { } rendered)
            return new MetricProvider(MetricProviderKind.Job, Job: new JobMetric(global::GitOps.Reconciler.Rendering.DesiredStateReader.Template(global::GitOps.Reconciler.Rendering.StrictObject.Of(rendered, r)!),
                r.Int(job["backoffLimit"], 0) ?? 6, r.Seconds(job["activeDeadlineSeconds"], 1)));
        var spec = r.Mapping(job["spec"]);
        var template = r.Mapping(spec?["template"]);
        var podSpec = r.Mapping(template?["spec"]);
        if (spec is null || template is null || podSpec is null)
        {
            ctx.Diagnostics.Error(spec ?? (YNode)job, "a job metric needs spec.template.spec (a pod spec)", "rollout.job");
            return null;
        }
        var pod = PodTemplateMapper.Map(r.Mapping(template["metadata"]), podSpec, new HashSet<string>(StringComparer.Ordinal), ctx);
        var restart = r.String(podSpec["restartPolicy"]);
        if (restart is not (null or "Never" or "OnFailure"))
            ctx.Diagnostics.Error(podSpec["restartPolicy"]!, $"a job's restartPolicy must be Never or OnFailure, got \"{restart}\"", "rollout.job");
        var deadline = r.Seconds(spec["activeDeadlineSeconds"], 1);
        // Kubernetes' Job default; Argo's examples set 0 so one failed pod fails the measurement.
        return new MetricProvider(MetricProviderKind.Job, Job: new JobMetric(pod.Template, r.Int(spec["backoffLimit"], 0) ?? 6, deadline));
    }

    private static MetricProvider? Router(YMapping m, LoadContext ctx)
    {
        var r = ctx.Reader;
        var metricText = r.RequiredString(m["metric"], m, "metric");
        if (metricText is null) return null;
        RouterMetricKind? kind = metricText switch
        {
            "successRate" => RouterMetricKind.SuccessRate,
            "errorRate" => RouterMetricKind.ErrorRate,
            "latencyP50" => RouterMetricKind.LatencyP50,
            "latencyP95" => RouterMetricKind.LatencyP95,
            "latencyP99" => RouterMetricKind.LatencyP99,
            "requestCount" => RouterMetricKind.RequestCount,
            _ => null,
        };
        if (kind is null)
        {
            ctx.Diagnostics.Error(m["metric"]!, $"expected one of successRate, errorRate, latencyP50, latencyP95, latencyP99, requestCount, got \"{metricText}\"", "manifest.enum");
            return null;
        }
        var window = r.String(m["window"]) ?? "1m";
        if (!Placeholders.Contains(window) && !(GoDuration.TryParse(window, out var w) && w > TimeSpan.Zero))
            ctx.Diagnostics.Error(m["window"]!, $"expected a duration such as 1m, got \"{window}\"", "manifest.duration");
        var version = r.String(m["version"]) switch
        {
            null or "latest" or "canary" => PodTemplateHashValue.Latest,
            "stable" => PodTemplateHashValue.Stable,
            var other => Bad(m["version"]!, other, ctx),
        };
        foreach (var e in m.Entries.Where(e => e.Key.Value is not ("metric" or "window" or "version")))
            ctx.Diagnostics.Error(e.Key, $"unknown field '{e.Key.Value}' of the router metric (expected metric, window, version)", "schema.NoAdditionalPropertiesAllowed");
        return new MetricProvider(MetricProviderKind.Router, Router: new RouterMetric(kind.Value, window, version));
    }

    private static PodTemplateHashValue Bad(YNode node, string value, LoadContext ctx)
    {
        ctx.Diagnostics.Error(node, $"expected one of latest, stable, got \"{value}\"", "manifest.enum");
        return PodTemplateHashValue.Latest;
    }

    private static ValueList<MetricHeader> Headers(YNode? node, LoadContext ctx)
    {
        var list = new List<MetricHeader>();
        foreach (var item in ctx.Reader.Sequence(node)?.Items ?? [])
            if (ctx.Reader.Mapping(item) is { } h && ctx.Reader.RequiredString(h["key"], h, "key") is { } key)
                list.Add(new MetricHeader(key, ctx.Reader.String(h["value"]) ?? ""));
        return [.. list];
    }

    /// <summary>Template arguments: a default value, a Secret key (read when measuring), or nothing (the rollout must pass it).</summary>
    public static ValueList<TemplateArgument> TemplateArgs(YNode? node, LoadContext ctx)
    {
        var r = ctx.Reader;
        var list = new List<TemplateArgument>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in r.Sequence(node)?.Items ?? [])
        {
            if (r.Mapping(item) is not { } a || r.RequiredString(a["name"], a, "name") is not { } name) continue;
            if (!seen.Add(name)) ctx.Diagnostics.Error(a["name"]!, $"duplicate argument '{name}'", "rollout.arg-duplicate");
            SecretKeyRef? secret = null;
            if (r.Mapping(a["valueFrom"]) is { } from)
            {
                if (r.Mapping(from["secretKeyRef"]) is { } s && r.RequiredString(s["name"], s, "name") is { } sn && r.RequiredString(s["key"], s, "key") is { } sk)
                    secret = new SecretKeyRef(sn, sk);
                if (from["fieldRef"] is { } field and not YScalar { IsNull: true })
                    ctx.Unsupported(field, "valueFrom.fieldRef in a template argument is not supported: pass the value from the rollout", "rollout.arg");
            }
            list.Add(new TemplateArgument(name, r.String(a["value"]), secret));
        }
        return [.. list];
    }

    /// <summary>A count or limit written as a number or as text with placeholders; kept as text (see <see cref="AnalysisMetric"/>).</summary>
    private static string? IntText(YNode? node, int min, LoadContext ctx)
    {
        if (node is not YScalar { IsNull: false } s) return null;
        if (Placeholders.Contains(s.Value)) return s.Value;
        if (ctx.Reader.Int(node, min) is { } n) return n.ToString(CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>A Go duration ("30s", "5m"); a bare number is seconds, as Argo reads it.</summary>
    private static string? DurationText(YNode? node, LoadContext ctx)
    {
        if (node is not YScalar { IsNull: false } s) return null;
        if (Placeholders.Contains(s.Value)) return s.Value;
        if (s.TryGetInt64(out var seconds) && seconds >= 0) return seconds.ToString(CultureInfo.InvariantCulture) + "s";
        if (GoDuration.TryParse(s.Value, out var d) && d >= TimeSpan.Zero) return s.Value;
        ctx.Diagnostics.Error(s, $"expected a duration such as 30s or 5m, got \"{s.Value}\"", "manifest.duration");
        return null;
    }
}
