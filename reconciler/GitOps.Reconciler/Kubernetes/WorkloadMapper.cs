using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// Pod, ReplicaSet, ReplicationController, Deployment, StatefulSet and DaemonSet as services, with the API's
/// defaults: one replica; Deployments roll out 25% surge / 25% unavailable (rounded per Kubernetes, see
/// <see cref="UpdateStrategy.Resolve"/>); StatefulSets one replica at a time, in order; a DaemonSet is a global
/// service (one pod per node) rolled out 1 unavailable / 0 surge unless its updateStrategy says otherwise; a
/// ReplicaSet or ReplicationController never replaces running pods by itself (OnDelete), and a bare Pod is recreated.
/// Jobs and CronJobs are run-to-completion services (<see cref="JobMapper"/>).
/// The selector must match the template's labels, as the API server requires.
/// </summary>
internal static class WorkloadMapper
{
    public static readonly UpdateStrategy DeploymentDefault = new(UpdateKind.Rolling, IntOrPercent.Percentage(25), IntOrPercent.Percentage(25), TimeSpan.Zero, TimeSpan.Zero, FailureAction.Pause, 0, TimeSpan.Zero, 0);

    public static Service? Map(KubeObject obj, LoadContext ctx)
    {
        var r = ctx.Reader;
        var spec = obj.Spec;
        if (spec is null)
        {
            ctx.Diagnostics.Error(obj.Root, $"{obj.Kind} '{obj.Name}' has no spec", "k8s.spec");
            return null;
        }
        var labels = new ValueMap<string>(r.StringMap(obj.Metadata?["labels"]) ?? []);
        if (obj.Kind == "CronJob") return JobMapper.CronJob(obj, spec, labels, ctx);
        if (obj.Kind == "Pod")
        {
            PodTemplateMapper.Result pod;
            using (ctx.Sources.For(obj.ModelName)) pod = PodTemplateMapper.Map(obj.Metadata, spec, new HashSet<string>(), ctx);
            return new Service(obj.ModelName, SourceFormat.Kubernetes, WorkloadKind.Pod, labels, pod.Template, Replication.Replicated(1),
                UpdateStrategy.Recreate, null, pod.Placement, [.. pod.HostPorts], EndpointMode.Vip, default, null);
        }

        var templateNode = r.Mapping(spec["template"]);
        if (templateNode is null)
        {
            ctx.Diagnostics.Error(spec, $"{obj.Kind} '{obj.Name}' needs a pod template (spec.template)", "k8s.template");
            return null;
        }
        var templateMeta = r.Mapping(templateNode["metadata"]);
        var podSpec = r.Mapping(templateNode["spec"]);
        if (podSpec is null)
        {
            ctx.Diagnostics.Error(templateNode, "the pod template needs a spec", "k8s.template");
            return null;
        }
        var claimTemplates = new List<ClaimTemplate>();
        if (obj.Kind == "StatefulSet")
            foreach (var item in r.Sequence(spec["volumeClaimTemplates"])?.Items ?? [])
                if (r.Mapping(item) is { } ct) claimTemplates.Add(new ClaimTemplate((r.Mapping(ct["metadata"])?["name"] as YScalar)?.Value ?? "", KubeResourceMapper.Claim(r.Mapping(ct["spec"]), ctx)));
        PodTemplateMapper.Result mapped;
        using (ctx.Sources.For(obj.ModelName))
            mapped = PodTemplateMapper.Map(templateMeta, podSpec, claimTemplates.Select(c => c.Name).ToHashSet(StringComparer.Ordinal), ctx);
        if (obj.Kind == "Job") return JobMapper.Job(obj, spec, podSpec, mapped, labels, ctx);
        CheckSelector(obj, spec, mapped.Template.Labels, ctx);
        // The API accepts only restartPolicy Always in the pods of these controllers (ValidatePodTemplateSpecForReplicaSet, ...ForStatefulSet).
        if (obj.Kind is "Deployment" or "ReplicaSet" or "ReplicationController" or "StatefulSet" && r.String(podSpec["restartPolicy"]) is { } podRestart and not "Always")
            ctx.Diagnostics.Error(podSpec["restartPolicy"]!, $"the pods of a {obj.Kind} must have restartPolicy Always, not \"{podRestart}\" (run-to-completion work is a Job)", "k8s.restart-policy");
        // SetDefaults_ReplicationController: an RC without labels of its own takes its template's.
        if (obj.Kind == "ReplicationController" && labels.IsEmpty) labels = mapped.Template.Labels;

        var replication = Replication.Replicated(r.Int(spec["replicas"], 0) ?? 1);
        var minReady = r.Seconds(spec["minReadySeconds"]) ?? TimeSpan.Zero;
        UpdateStrategy update;
        WorkloadKind kind;
        StatefulOptions? stateful = null;
        switch (obj.Kind)
        {
            case "Deployment":
                kind = WorkloadKind.Deployment;
                update = DeploymentStrategy(r.Mapping(spec["strategy"]), ctx) with { MinReady = minReady };
                if (update.Kind == UpdateKind.Recreate) update = update with { MinReady = TimeSpan.Zero };
                break;
            case "StatefulSet":
                kind = WorkloadKind.StatefulSet;
                update = StatefulSetStrategy(r.Mapping(spec["updateStrategy"]), ctx) with { MinReady = minReady };
                var policy = r.String(spec["podManagementPolicy"]) switch
                {
                    null or "OrderedReady" => PodManagement.OrderedReady,
                    "Parallel" => PodManagement.Parallel,
                    var other => Bad(spec["podManagementPolicy"]!, "expected one of 'OrderedReady', 'Parallel'", other, ctx, PodManagement.OrderedReady),
                };
                stateful = new StatefulOptions(r.String(spec["serviceName"]), policy, [.. claimTemplates]);
                break;
            case "DaemonSet":
                kind = WorkloadKind.DaemonSet;
                update = DaemonSetStrategy(r.Mapping(spec["updateStrategy"]), ctx) with { MinReady = minReady };
                replication = new Replication(ReplicationMode.Global, 0, null);
                break;
            case "Rollout":
                // The strategy proper is read by KubeRolloutMapper; minReadySeconds means what it means for a Deployment.
                kind = WorkloadKind.Rollout;
                update = DeploymentDefault with { MinReady = minReady };
                break;
            case "ReplicaSet":
                kind = WorkloadKind.ReplicaSet;
                update = UpdateStrategy.OnDelete;
                break;
            default:
                kind = WorkloadKind.ReplicationController;
                update = UpdateStrategy.OnDelete;
                break;
        }
        // The data-loss opt-in may be annotated on the workload as well as on its pod template.
        var placement = mapped.Placement.RescheduleWithDataLoss ? mapped.Placement
            : mapped.Placement with { RescheduleWithDataLoss = KubePlacementMapper.DataLossOptIn(obj.Metadata, ctx) };
        return new Service(obj.ModelName, SourceFormat.Kubernetes, kind, labels, mapped.Template, replication,
            update, null, placement, [.. mapped.HostPorts], EndpointMode.Vip, default, stateful);
    }

    private static UpdateStrategy DeploymentStrategy(YMapping? strategy, LoadContext ctx)
    {
        var r = ctx.Reader;
        switch (r.String(strategy?["type"]))
        {
            case null or "RollingUpdate":
                var ru = r.Mapping(strategy?["rollingUpdate"]);
                var surge = IntOrPercentOf(ru?["maxSurge"], ctx) ?? IntOrPercent.Percentage(25);
                var unavailable = IntOrPercentOf(ru?["maxUnavailable"], ctx) ?? IntOrPercent.Percentage(25);
                if (surge.Value == 0 && unavailable.Value == 0)
                    ctx.Diagnostics.Error(ru!, "maxSurge and maxUnavailable may not both be zero", "k8s.strategy");
                return DeploymentDefault with { MaxSurge = surge, MaxUnavailable = unavailable };
            case "Recreate":
                if (strategy?["rollingUpdate"] is YMapping extra)
                    ctx.Diagnostics.Error(extra, "rollingUpdate may not be given when the strategy type is Recreate", "k8s.strategy");
                return UpdateStrategy.Recreate;
            default:
                ctx.Diagnostics.Error(strategy!["type"]!, "expected one of 'RollingUpdate', 'Recreate'", "manifest.enum");
                return DeploymentDefault;
        }
    }

    private static UpdateStrategy StatefulSetStrategy(YMapping? strategy, LoadContext ctx)
    {
        var r = ctx.Reader;
        switch (r.String(strategy?["type"]))
        {
            case null or "RollingUpdate":
                var ru = r.Mapping(strategy?["rollingUpdate"]);
                return DeploymentDefault with
                {
                    MaxSurge = IntOrPercent.Count(0),
                    MaxUnavailable = IntOrPercentOf(ru?["maxUnavailable"], ctx) ?? IntOrPercent.Count(1),
                    Partition = r.Int(ru?["partition"], 0) ?? 0,
                };
            case "OnDelete":
                return UpdateStrategy.OnDelete;
            default:
                ctx.Diagnostics.Error(strategy!["type"]!, "expected one of 'RollingUpdate', 'OnDelete'", "manifest.enum");
                return UpdateStrategy.OnDelete;
        }
    }

    /// <summary>
    /// A DaemonSet replaces its pods one node at a time by default (maxUnavailable 1, maxSurge 0: the old pod goes
    /// before the new one starts); maxSurge lets the new pod start first (then maxUnavailable may be 0); OnDelete
    /// leaves running pods alone until they are deleted.
    /// </summary>
    private static UpdateStrategy DaemonSetStrategy(YMapping? strategy, LoadContext ctx)
    {
        var r = ctx.Reader;
        switch (r.String(strategy?["type"]))
        {
            case null or "RollingUpdate":
                var ru = r.Mapping(strategy?["rollingUpdate"]);
                var surge = IntOrPercentOf(ru?["maxSurge"], ctx) ?? IntOrPercent.Count(0);
                var unavailable = IntOrPercentOf(ru?["maxUnavailable"], ctx) ?? IntOrPercent.Count(1);
                if (surge.Value == 0 && unavailable.Value == 0)
                    ctx.Diagnostics.Error(ru!, "maxSurge and maxUnavailable may not both be zero", "k8s.strategy");
                return DeploymentDefault with { MaxSurge = surge, MaxUnavailable = unavailable };
            case "OnDelete":
                if (strategy?["rollingUpdate"] is YMapping extra)
                    ctx.Diagnostics.Error(extra, "rollingUpdate may not be given when the strategy type is OnDelete", "k8s.strategy");
                return UpdateStrategy.OnDelete;
            default:
                ctx.Diagnostics.Error(strategy!["type"]!, "expected one of 'RollingUpdate', 'OnDelete'", "manifest.enum");
                return UpdateStrategy.OnDelete;
        }
    }

    public static IntOrPercent? IntOrPercentOf(YNode? node, LoadContext ctx)
    {
        if (node is not YScalar { IsNull: false } s) return null;
        if (s.TryGetInt64(out var n) && n is >= 0 and <= int.MaxValue) return IntOrPercent.Count((int)n);
        if (s.Kind == ScalarKind.String && s.Value.EndsWith('%') && IntOrPercent.TryParse(s.Value, out var v)) return v;
        ctx.Diagnostics.Error(s, $"expected a count or a percentage such as 25%, got {NodeReader.Describe(s)}", "k8s.int-or-percent");
        return null;
    }

    private static void CheckSelector(KubeObject obj, YMapping spec, ValueMap<string> templateLabels, LoadContext ctx)
    {
        var r = ctx.Reader;
        LabelSelector? selector;
        var selectorNode = spec["selector"];
        if (obj.Kind == "ReplicationController")
        {
            // Optional for an RC: it defaults to the template's labels.
            var map = r.StringMap(selectorNode);
            if (map is null || map.Count == 0) return;
            selector = LabelSelector.FromMap(map);
        }
        else
        {
            selector = LabelSelector.Read(selectorNode, ctx);
            if (selector is null || selector.IsEmpty)
            {
                ctx.Diagnostics.Error(selectorNode ?? spec, $"{obj.Kind} '{obj.Name}' needs a non-empty selector", "k8s.selector");
                return;
            }
        }
        if (!selector.Matches(templateLabels))
            ctx.Diagnostics.Error(selectorNode!, $"selector does not match template labels of {obj.Kind} '{obj.Name}' (template labels: {Describe(templateLabels)})", "k8s.selector-mismatch");
    }

    private static string Describe(ValueMap<string> labels) => labels.IsEmpty ? "none" : string.Join(", ", labels.Select(kv => kv.Key + "=" + kv.Value));

    private static T Bad<T>(YNode node, string expected, string value, LoadContext ctx, T fallback)
    {
        ctx.Diagnostics.Error(node, $"{expected}, got \"{value}\"", "manifest.enum");
        return fallback;
    }
}
