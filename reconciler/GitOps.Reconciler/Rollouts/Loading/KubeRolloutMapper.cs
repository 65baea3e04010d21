using GitOps.Reconciler.Kubernetes;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rollouts.Loading;

/// <summary>
/// Argo Rollouts' <c>Rollout</c> as a service of kind <see cref="WorkloadKind.Rollout"/> carrying its
/// <see cref="RolloutSpec"/>, and <c>AnalysisTemplate</c>/<c>ClusterAnalysisTemplate</c> as the application's
/// templates. A Rollout has its own pod template (<c>selector</c> + <c>template</c>, read as a Deployment's) or takes
/// the one of a Deployment of the application (<c>workloadRef</c>).
/// </summary>
internal static class KubeRolloutMapper
{
    public static AnalysisTemplate? Template(KubeObject obj, LoadContext ctx)
    {
        var spec = obj.Spec;
        if (spec is null) return null;
        foreach (var key in new[] { "templates", "measurementRetention" })
            if (spec[key] is { } node and not YScalar { IsNull: true })
                ctx.Unsupported(node, $"{obj.Kind}.spec.{key} is not supported by gitops", "rollout.unsupported-field");
        var dryRun = new List<string>();
        foreach (var item in ctx.Reader.Sequence(spec["dryRun"])?.Items ?? [])
            if (ctx.Reader.Mapping(item) is { } d && ctx.Reader.RequiredString(d["metricName"], d, "metricName") is { } name) dryRun.Add(name);
        var metrics = MetricReader.Metrics(spec["metrics"], ctx);
        return new AnalysisTemplate(obj.Name, obj.Kind == "ClusterAnalysisTemplate", MetricReader.TemplateArgs(spec["args"], ctx), metrics, [.. dryRun]);
    }

    public static Service? Rollout(KubeObject obj, IReadOnlyDictionary<string, Service> services, IReadOnlyList<KubeObject> all,
        AnalysisReferences references, LoadContext ctx)
    {
        var r = ctx.Reader;
        var spec = obj.Spec!;
        var owner = new RolloutOwner($"Rollout '{obj.Name}'", obj.Metadata, references);
        var rollout = Spec(obj, spec, owner, ctx);
        Service? service;
        if (r.Mapping(spec["workloadRef"]) is { } reference)
        {
            if (spec["template"] is YMapping template)
                ctx.Diagnostics.Error(template, "template and workloadRef may not both be set", "rollout.workload-ref");
            service = FromReference(obj, spec, reference, services, ctx);
        }
        else
        {
            service = WorkloadMapper.Map(obj, ctx);
        }
        if (service is null || rollout is null) return null;
        rollout = rollout with { HttpTraffic = ServesHttp(rollout, all, obj.Namespace, ctx) };
        var update = rollout.Canary is { } c
            ? WorkloadMapper.DeploymentDefault with { MaxSurge = c.MaxSurge, MaxUnavailable = c.MaxUnavailable, MinReady = service.Update.MinReady }
            : WorkloadMapper.DeploymentDefault with { MaxSurge = IntOrPercent.Percentage(100), MaxUnavailable = IntOrPercent.Count(0), MinReady = service.Update.MinReady };
        return service with { Kind = WorkloadKind.Rollout, Update = update, Rollout = rollout };
    }

    private static RolloutSpec? Spec(KubeObject obj, YMapping spec, RolloutOwner owner, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var key in new[] { "analysis", "restartAt", "rollbackWindow" })
            if (spec[key] is { } node and not YScalar { IsNull: true })
                ctx.Unsupported(node, $"Rollout.spec.{key} is not supported by gitops and is ignored", "rollout.unsupported-field");
        var strategy = r.Mapping(spec["strategy"]);
        var canaryNode = r.Mapping(strategy?["canary"]);
        var blueGreenNode = r.Mapping(strategy?["blueGreen"]);
        if (canaryNode is not null && blueGreenNode is not null)
        {
            ctx.Diagnostics.Error(strategy!, "a Rollout takes one strategy: canary or blueGreen, not both", "rollout.strategy");
            return null;
        }
        if (canaryNode is null && blueGreenNode is null)
        {
            ctx.Diagnostics.Error(strategy ?? (YNode)spec, $"Rollout '{obj.Name}' needs strategy.canary or strategy.blueGreen", "rollout.strategy");
            return null;
        }
        var deadline = r.Seconds(spec["progressDeadlineSeconds"], 1) ?? RolloutDefaults.ProgressDeadline;
        var minReady = r.Seconds(spec["minReadySeconds"]) ?? TimeSpan.Zero;
        if (deadline <= minReady && spec["progressDeadlineSeconds"] is { } pd)
            ctx.Diagnostics.Error(pd, "progressDeadlineSeconds must be greater than minReadySeconds", "rollout.progress-deadline");
        WorkloadRef? workloadRef = null;
        if (r.Mapping(spec["workloadRef"]) is { } wr)
        {
            var scaleDown = r.String(wr["scaleDown"]) switch
            {
                null or "never" => WorkloadScaleDown.Never,
                "onsuccess" => WorkloadScaleDown.OnSuccess,
                "progressively" => WorkloadScaleDown.Progressively,
                var other => Enum(wr["scaleDown"]!, other, ctx),
            };
            workloadRef = new WorkloadRef(r.String(wr["kind"]) ?? "Deployment", KubeNames.Qualify(r.String(wr["name"]) ?? "", obj.Namespace), scaleDown);
        }
        return new RolloutSpec(
            canaryNode is not null ? RolloutStrategyKind.Canary : RolloutStrategyKind.BlueGreen,
            canaryNode is not null ? StrategyReader.Canary(canaryNode, owner, ctx) : null,
            blueGreenNode is not null ? StrategyReader.BlueGreen(blueGreenNode, owner, null, needsActiveService: true, ctx) : null,
            deadline, r.Bool(spec["progressDeadlineAbort"]) ?? false, r.Bool(spec["paused"]) ?? false, workloadRef);
    }

    private static WorkloadScaleDown Enum(YNode node, string value, LoadContext ctx)
    {
        ctx.Diagnostics.Error(node, $"expected one of never, onsuccess, progressively, got \"{value}\"", "manifest.enum");
        return WorkloadScaleDown.Never;
    }

    /// <summary>
    /// <c>workloadRef</c>: the Deployment's pod template and ports under the Rollout's name, labels and replicas. Argo
    /// reads only the template from it, so the Rollout's selector (optional here) must still match its labels.
    /// </summary>
    private static Service? FromReference(KubeObject obj, YMapping spec, YMapping reference, IReadOnlyDictionary<string, Service> services, LoadContext ctx)
    {
        var r = ctx.Reader;
        var kind = r.String(reference["kind"]);
        var name = r.RequiredString(reference["name"], reference, "name");
        if (kind != "Deployment" || r.String(reference["apiVersion"]) is not (null or "apps/v1"))
        {
            ctx.Diagnostics.Error(reference["kind"] ?? reference, $"workloadRef must name an apps/v1 Deployment, got {r.String(reference["apiVersion"]) ?? "?"} {kind ?? "?"}", "rollout.workload-ref");
            return null;
        }
        if (name is null) return null;
        var key = KubeNames.Qualify(name, obj.Namespace);
        if (!services.TryGetValue(key, out var deployment) || deployment.Kind != WorkloadKind.Deployment)
        {
            ctx.Diagnostics.Error(reference["name"]!, $"workloadRef names Deployment '{name}', which this application does not declare", "rollout.workload-ref");
            return null;
        }
        if (spec["selector"] is { } selectorNode and not YScalar { IsNull: true } && LabelSelector.Read(selectorNode, ctx) is { IsEmpty: false } selector
            && !selector.Matches(deployment.Template.Labels))
            ctx.Diagnostics.Error(selectorNode, $"selector does not match the template labels of Deployment '{name}'", "k8s.selector-mismatch");
        var labels = new ValueMap<string>(r.StringMap(obj.Metadata?["labels"]) ?? []);
        var replicas = r.Int(spec["replicas"], 0) ?? RolloutDefaults.Replicas;
        return deployment with { Name = obj.ModelName, Labels = labels, Replication = Replication.Replicated(replicas), Stateful = null };
    }

    /// <summary>HTTP when a Service the strategy names declares <c>appProtocol: http</c> (or http2/h2c/kubernetes.io/h2c) on a port.</summary>
    private static bool ServesHttp(RolloutSpec rollout, IReadOnlyList<KubeObject> all, string? ns, LoadContext ctx)
    {
        var names = new[] { rollout.Canary?.CanaryService, rollout.Canary?.StableService, rollout.BlueGreen?.ActiveService, rollout.BlueGreen?.PreviewService }
            .Where(n => n is not null).ToHashSet(StringComparer.Ordinal);
        foreach (var svc in all.Where(o => o.Kind == "Service" && o.Namespace == ns && names.Contains(o.Name)))
            foreach (var port in ctx.Reader.Sequence(svc.Spec?["ports"])?.Items ?? [])
                if (port is YMapping p && (p["appProtocol"] as YScalar)?.Value is "http" or "http2" or "h2c" or "kubernetes.io/h2c") return true;
        return false;
    }
}
