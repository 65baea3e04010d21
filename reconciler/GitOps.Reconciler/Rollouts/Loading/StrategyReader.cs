using System.Globalization;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rollouts.Loading;

/// <summary>
/// <c>strategy.canary</c> and <c>strategy.blueGreen</c> with Argo Rollouts' defaults. A Compose <c>x-rollout</c> uses
/// the same field names one level up, so both formats read through here. Fields gitops does not act on are
/// reported (never dropped in silence); Argo's own validation rules (one action per step, weights 0–100, a
/// background analysis' startingStep within the steps) are checked with the position of the offending value.
/// </summary>
internal static class StrategyReader
{
    private static readonly string[] UnsupportedCanary = ["trafficRouting", "antiAffinity", "canaryMetadata", "stableMetadata", "pingPong", "scaleDownDelayRevisionLimit", "replicaProgressThreshold"];
    private static readonly string[] UnsupportedBlueGreen = ["antiAffinity", "activeMetadata", "previewMetadata", "scaleDownDelayRevisionLimit"];

    public static CanaryStrategy Canary(YMapping c, RolloutOwner owner, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var key in UnsupportedCanary)
            if (c[key] is { } node and not YScalar { IsNull: true })
                ctx.Unsupported(node, key == "trafficRouting"
                    ? "canary.trafficRouting is ignored: gitops moves traffic through its own router (per request for HTTP services, per connection otherwise)"
                    : $"canary.{key} is not supported by gitops and is ignored", "rollout.unsupported-field");
        var steps = new List<CanaryStep>();
        foreach (var item in r.Sequence(c["steps"])?.Items ?? [])
            if (r.Mapping(item) is { } s && Step(s, owner, ctx) is { } step) steps.Add(step);
        var analysis = AnalysisReader.Read(c["analysis"], owner, background: true, ctx);
        if (analysis?.StartingStep is { } start && start > steps.Count)
            ctx.Diagnostics.Error(ctx.Reader.Mapping(c["analysis"])!["startingStep"]!, $"startingStep {start} is past the last step ({steps.Count} steps)", "rollout.starting-step");
        var surge = IntOrPercentOf(c["maxSurge"], ctx) ?? RolloutDefaults.MaxSurge;
        var unavailable = IntOrPercentOf(c["maxUnavailable"], ctx) ?? RolloutDefaults.MaxUnavailable;
        if (surge.Value == 0 && unavailable.Value == 0)
            ctx.Diagnostics.Error(c["maxSurge"] ?? c, "maxSurge and maxUnavailable may not both be zero", "rollout.surge");
        var canaryService = r.String(c["canaryService"]);
        var stableService = r.String(c["stableService"]);
        if (canaryService is not null && canaryService == stableService)
            ctx.Diagnostics.Error(c["stableService"]!, "canaryService and stableService must be different Services", "rollout.services");
        return new CanaryStrategy([.. steps], canaryService, stableService, analysis, surge, unavailable,
            r.Seconds(c["scaleDownDelaySeconds"]) ?? RolloutDefaults.ScaleDownDelay,
            AbortDelay(c["abortScaleDownDelaySeconds"], ctx),
            r.Bool(c["dynamicStableScale"]) ?? false,
            r.Int(c["minPodsPerReplicaSet"], 1));
    }

    public static BlueGreenStrategy BlueGreen(YMapping b, RolloutOwner owner, PreviewPort? previewPort, bool needsActiveService, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var key in UnsupportedBlueGreen)
            if (b[key] is { } node and not YScalar { IsNull: true })
                ctx.Unsupported(node, $"blueGreen.{key} is not supported by gitops and is ignored", "rollout.unsupported-field");
        var active = r.String(b["activeService"]);
        if (needsActiveService && active is null)
            ctx.Diagnostics.Error(b, "blueGreen needs activeService: the Service that serves production", "manifest.required");
        var preview = r.String(b["previewService"]);
        if (active is not null && active == preview)
            ctx.Diagnostics.Error(b["previewService"]!, "activeService and previewService must be different Services", "rollout.services");
        var delay = r.Seconds(b["autoPromotionSeconds"]) ?? TimeSpan.Zero;
        var auto = r.Bool(b["autoPromotionEnabled"]) ?? RolloutDefaults.AutoPromotionEnabled;
        if (!auto && b["autoPromotionSeconds"] is YScalar { IsNull: false } seconds)
            ctx.Diagnostics.Warning(seconds, "autoPromotionSeconds has no effect while autoPromotionEnabled is false", "rollout.auto-promotion");
        if (b["maxUnavailable"] is { } mu and not YScalar { IsNull: true })
            ctx.Unsupported(mu, "blueGreen.maxUnavailable is ignored: the preview comes up beside the active version", "rollout.unsupported-field");
        return new BlueGreenStrategy(active, preview, previewPort, r.Int(b["previewReplicaCount"], 0), auto, delay,
            r.Seconds(b["scaleDownDelaySeconds"]) ?? RolloutDefaults.ScaleDownDelay,
            AbortDelay(b["abortScaleDownDelaySeconds"], ctx),
            AnalysisReader.Read(b["prePromotionAnalysis"], owner, background: false, ctx),
            AnalysisReader.Read(b["postPromotionAnalysis"], owner, background: false, ctx));
    }

    /// <summary>Argo: 0 keeps the aborted version up; absent is 30 s.</summary>
    private static TimeSpan? AbortDelay(YNode? node, LoadContext ctx)
    {
        var seconds = ctx.Reader.Seconds(node);
        if (seconds is null) return RolloutDefaults.AbortScaleDownDelay;
        return seconds == TimeSpan.Zero ? null : seconds;
    }

    private static CanaryStep? Step(YMapping s, RolloutOwner owner, LoadContext ctx)
    {
        var r = ctx.Reader;
        var set = s.Entries.Where(e => e.Value is not YScalar { IsNull: true } || e.Key.Value == "pause").ToList();
        if (set.Count != 1)
        {
            ctx.Diagnostics.Error(s, set.Count == 0 ? "a step needs one of setWeight, pause, analysis, setCanaryScale, setHeaderRoute"
                : $"a step takes exactly one action, got {string.Join(", ", set.Select(e => e.Key.Value))}", "rollout.step");
            return null;
        }
        var (key, value) = (set[0].Key, set[0].Value);
        switch (key.Value)
        {
            case "setWeight":
                return r.Int(value, 0, RolloutDefaults.MaxTrafficWeight) is { } w ? CanaryStep.SetWeight(w) : null;
            case "pause":
                if (value is YScalar { IsNull: true }) return CanaryStep.Pause();
                if (r.Mapping(value) is not { } pause) return null;
                return pause["duration"] is { } d and not YScalar { IsNull: true } ? (PauseDuration(d, ctx) is { } duration ? CanaryStep.Pause(duration) : null) : CanaryStep.Pause();
            case "analysis":
                return AnalysisReader.Read(value, owner, background: false, ctx) is { } a ? new CanaryStep(CanaryStepKind.Analysis, Analysis: a) : null;
            case "setCanaryScale":
                return r.Mapping(value) is { } scale ? Scale(scale, ctx) : null;
            case "setHeaderRoute":
                return r.Mapping(value) is { } route ? HeaderRouteOf(route, ctx) : null;
            default:
                ctx.Unsupported(key, $"canary step '{key.Value}' is not supported by gitops: the step is skipped", "rollout.step-unsupported");
                return null;
        }
    }

    /// <summary>An integer is seconds; a string is a Go duration, or digits only (seconds), as Argo's DurationFromIntOrString.</summary>
    private static TimeSpan? PauseDuration(YNode node, LoadContext ctx)
    {
        if (node is YScalar s)
        {
            if (s.TryGetInt64(out var n) && n >= 0) return TimeSpan.FromSeconds(n);
            if (long.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out n)) return TimeSpan.FromSeconds(n);
            if (GoDuration.TryParse(s.Value, out var d) && d >= TimeSpan.Zero) return d;
        }
        ctx.Diagnostics.Error(node, $"expected a duration such as 40s, 1h or a number of seconds, got {NodeReader.Describe(node)}", "manifest.duration");
        return null;
    }

    private static CanaryStep? Scale(YMapping m, LoadContext ctx)
    {
        var r = ctx.Reader;
        var replicas = r.Int(m["replicas"], 0);
        var weight = r.Int(m["weight"], 0, 100);
        var match = r.Bool(m["matchTrafficWeight"]) ?? false;
        var count = (replicas is null ? 0 : 1) + (weight is null ? 0 : 1) + (match ? 1 : 0);
        if (count != 1)
        {
            ctx.Diagnostics.Error(m, "setCanaryScale takes exactly one of replicas, weight, matchTrafficWeight: true", "rollout.step");
            return null;
        }
        return new CanaryStep(CanaryStepKind.SetCanaryScale, Scale: new CanaryScale(replicas, weight, match));
    }

    private static CanaryStep? HeaderRouteOf(YMapping m, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (r.RequiredString(m["name"], m, "name") is not { } name) return null;
        var matches = new List<HeaderMatch>();
        foreach (var item in r.Sequence(m["match"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } hm || r.RequiredString(hm["headerName"], hm, "headerName") is not { } header) continue;
            if (r.Mapping(hm["headerValue"]) is not { } hv)
            {
                ctx.Diagnostics.Error(hm["headerValue"] ?? hm, "headerValue needs one of exact, prefix, regex", "manifest.required");
                continue;
            }
            var values = new[] { ("exact", HeaderMatchKind.Exact), ("prefix", HeaderMatchKind.Prefix), ("regex", HeaderMatchKind.Regex) }
                .Select(k => (k.Item2, Node: hv[k.Item1], Text: r.String(hv[k.Item1]))).Where(v => v.Text is not null).ToList();
            if (values.Count != 1)
            {
                ctx.Diagnostics.Error(hv, "headerValue takes exactly one of exact, prefix, regex", "rollout.header-route");
                continue;
            }
            if (values[0].Item1 == HeaderMatchKind.Regex && !IsRegex(values[0].Text!))
            {
                ctx.Diagnostics.Error(values[0].Node!, $"\"{values[0].Text}\" is not a valid regular expression", "rollout.header-route");
                continue;
            }
            matches.Add(new HeaderMatch(header, values[0].Item1, values[0].Text!));
        }
        return new CanaryStep(CanaryStepKind.SetHeaderRoute, HeaderRoute: new HeaderRoute(name, [.. matches]));
    }

    private static bool IsRegex(string pattern)
    {
        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(100));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Argo reads a bare string as a percentage ("25" is 25%), an integer as a count.</summary>
    public static IntOrPercent? IntOrPercentOf(YNode? node, LoadContext ctx)
    {
        if (node is not YScalar { IsNull: false } s) return null;
        if (s.TryGetInt64(out var n) && n is >= 0 and <= int.MaxValue) return IntOrPercent.Count((int)n);
        var text = s.Value.Trim();
        if (IntOrPercent.TryParse(text.EndsWith('%') ? text : text + "%", out var v)) return v;
        ctx.Diagnostics.Error(s, $"expected a count or a percentage such as 25%, got {NodeReader.Describe(s)}", "k8s.int-or-percent");
        return null;
    }
}
