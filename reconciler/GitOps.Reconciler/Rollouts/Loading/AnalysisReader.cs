using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rollouts.Loading;

/// <summary>
/// A rollout's analysis (background <c>analysis</c>, a step's <c>analysis</c>, <c>pre</c>/<c>postPromotionAnalysis</c>):
/// template references, arguments, dry-run metrics, <c>startingStep</c> and, in Compose, metrics written in place.
/// Argument <c>fieldRef</c>s are resolved against the Rollout's own metadata here, as Argo resolves them when it
/// creates the run; <c>podTemplateHashValue</c> stays symbolic until a run starts.
/// </summary>
internal static class AnalysisReader
{
    public static RolloutAnalysis? Read(YNode? node, RolloutOwner owner, bool background, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (r.Mapping(node) is not { } a) return null;
        var templates = new List<AnalysisTemplateRef>();
        foreach (var item in r.Sequence(a["templates"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } t) continue;
            if (r.RequiredString(t["templateName"], t, "templateName") is { } name)
                templates.Add(new AnalysisTemplateRef(name, r.Bool(t["clusterScope"]) ?? false));
        }
        var metrics = MetricReader.Metrics(a["metrics"], ctx);
        if (templates.Count == 0 && metrics.Count == 0)
            ctx.Diagnostics.Error(a, "an analysis needs at least one template (templates[].templateName) or metric", "rollout.analysis-empty");
        var args = new List<AnalysisRunArgument>();
        foreach (var item in r.Sequence(a["args"])?.Items ?? [])
            if (r.Mapping(item) is { } arg && Argument(arg, owner.Metadata, ctx) is { } parsed) args.Add(parsed);
        var dryRun = new List<string>();
        foreach (var item in r.Sequence(a["dryRun"])?.Items ?? [])
            if (r.Mapping(item) is { } d && r.RequiredString(d["metricName"], d, "metricName") is { } metric) dryRun.Add(metric);
        int? startingStep = null;
        if (a["startingStep"] is { } ss and not YScalar { IsNull: true })
        {
            if (background) startingStep = r.Int(ss, 0);
            else ctx.Diagnostics.Error(ss, "startingStep applies only to the background analysis (strategy.canary.analysis)", "rollout.starting-step");
        }
        var analysis = new RolloutAnalysis([.. templates], metrics, [.. args], [.. dryRun], startingStep);
        owner.References.Add(a, owner.Description, analysis);
        return analysis;
    }

    private static AnalysisRunArgument? Argument(YMapping arg, YMapping? metadata, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (r.RequiredString(arg["name"], arg, "name") is not { } name) return null;
        var value = r.String(arg["value"]);
        if (r.Mapping(arg["valueFrom"]) is not { } from) return new AnalysisRunArgument(name, value ?? "", null);
        if (value is not null) ctx.Diagnostics.Error(arg["valueFrom"]!, $"argument '{name}' has both value and valueFrom", "rollout.arg");
        if (r.String(from["podTemplateHashValue"]) is { } hash)
        {
            PodTemplateHashValue? which = hash switch { "Stable" => PodTemplateHashValue.Stable, "Latest" => PodTemplateHashValue.Latest, _ => null };
            if (which is null)
            {
                ctx.Diagnostics.Error(from["podTemplateHashValue"]!, $"expected Stable or Latest, got \"{hash}\"", "manifest.enum");
                return null;
            }
            return new AnalysisRunArgument(name, null, which);
        }
        if (r.Mapping(from["fieldRef"]) is { } field && r.RequiredString(field["fieldPath"], field, "fieldPath") is { } path)
        {
            if (FieldRef(path, metadata, ctx) is { } resolved) return new AnalysisRunArgument(name, resolved, null);
            ctx.Diagnostics.Error(field["fieldPath"]!, $"fieldPath \"{path}\" does not name a field of this rollout (metadata.name, metadata.namespace, metadata.labels['KEY'], metadata.annotations['KEY'])", "rollout.field-ref");
            return null;
        }
        ctx.Diagnostics.Error(from, $"argument '{name}': valueFrom needs podTemplateHashValue or fieldRef", "rollout.arg");
        return null;
    }

    /// <summary>The fieldPaths Argo resolves for an analysis argument, read from the owner's metadata.</summary>
    private static string? FieldRef(string path, YMapping? metadata, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (metadata is null) return null;
        switch (path)
        {
            case "metadata.name": return r.String(metadata["name"]);
            case "metadata.namespace": return r.String(metadata["namespace"]) ?? Kubernetes.KubeNames.DefaultNamespace;
        }
        foreach (var kind in new[] { "labels", "annotations" })
        {
            var prefix = $"metadata.{kind}['";
            if (path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal))
            {
                var key = path[prefix.Length..^2];
                return r.StringMap(metadata[kind]) is { } map && map.TryGetValue(key, out var v) ? v : null;
            }
        }
        return null;
    }
}
