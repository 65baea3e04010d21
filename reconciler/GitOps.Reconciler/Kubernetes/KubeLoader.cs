using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Loading;
using GitOps.Reconciler.Validation;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// Loads Kubernetes-style objects: each is validated against its kind's schema, then mapped (workloads first,
/// so Services can find their backends). A Namespace is accepted: it scopes the names of the objects in it.
/// Kinds without a schema are reported (file:line) and kept as unsupported resources (errors under --strict);
/// the same object declared twice (apiVersion, kind, namespace and name) is an error.
/// </summary>
internal static class KubeLoader
{
    public static void Load(IReadOnlyList<KubeObject> objects, ApplicationBuilder app, LoadContext ctx)
    {
        var seen = new Dictionary<string, KubeObject>(StringComparer.Ordinal);
        var valid = new List<KubeObject>();
        foreach (var obj in objects)
        {
            if (ctx.Options.SkipKinds.Contains(obj.Kind)) continue;
            var identity = $"{obj.ApiVersion}/{obj.Kind}/{obj.Namespace ?? KubeNames.DefaultNamespace}/{obj.Name}";
            if (seen.TryGetValue(identity, out var first))
            {
                var at = (obj.Metadata?["name"] ?? obj.Root).Mark;
                ctx.Diagnostics.Error(at, NodePath.Key(NodePath.Key(obj.PathPrefix, "metadata"), "name"),
                    $"duplicate {obj.Kind} '{obj.Name}' in namespace '{obj.Namespace ?? KubeNames.DefaultNamespace}' (first declared at {(first.Metadata?["name"] ?? first.Root).Mark})", "k8s.duplicate");
                continue;
            }
            seen[identity] = obj;
            if (!SchemaCatalog.Kubernetes.TryGetValue(obj.TypeKey, out var schema))
            {
                ReportUnsupported(obj, ctx);
                app.Add(new UnsupportedResource(obj.ApiVersion, obj.Kind, obj.Name, obj.Namespace));
                continue;
            }
            var before = ctx.Diagnostics.Items.Count(d => d.Severity == Diagnostics.Severity.Error);
            SchemaValidator.Validate(obj.Root, schema, ctx.Diagnostics, obj.PathPrefix);
            if (string.IsNullOrEmpty(obj.Name))
                ctx.Diagnostics.Error(obj.Metadata ?? (YNode)obj.Root, $"{obj.Kind} needs metadata.name", "k8s.name");
            // Mapping an object the schema rejected would only repeat its errors in other words.
            if (ctx.Diagnostics.Items.Count(d => d.Severity == Diagnostics.Severity.Error) == before) valid.Add(obj);
        }

        foreach (var obj in valid.Where(o => o.Kind is "Pod" or "ReplicaSet" or "ReplicationController" or "Deployment" or "StatefulSet" or "DaemonSet" or "Job" or "CronJob"))
        {
            if (obj.Metadata?["generateName"] is { } generate && obj.Metadata?["name"] is null)
                ctx.Unsupported(generate, "generateName is not supported: gitops needs stable names to track objects across commits");
            if (WorkloadMapper.Map(obj, ctx) is { } service)
            {
                ctx.Sources.Add(SourceMap.Service(service.Name), obj.Metadata?["name"] ?? obj.Root);
                for (var i = 0; i < service.Ports.Count; i++) ctx.Sources.Add(SourceMap.PublishedPort(service.Name, i), obj.Root);
                app.Add(service, obj.Metadata?["name"] ?? obj.Root);
                app.AddImplicit(new Network("default", null, "bridge", false, false, false, false, default, default, default));
            }
        }
        foreach (var obj in valid.Where(o => o.Kind is "AnalysisTemplate" or "ClusterAnalysisTemplate"))
            if (KubeRolloutMapper.Template(obj, ctx) is { } template) app.Add(template, obj.Metadata?["name"] ?? obj.Root);
        // After the Deployments: a Rollout's workloadRef takes its pod template from one.
        foreach (var obj in valid.Where(o => o.Kind == "Rollout"))
        {
            Service? rollout;
            using (ctx.Sources.For(obj.ModelName)) rollout = KubeRolloutMapper.Rollout(obj, app.Services, valid, app.AnalysisReferences, ctx);
            if (rollout is null) continue;
            ctx.Sources.Add(SourceMap.Service(rollout.Name), obj.Metadata?["name"] ?? obj.Root);
            for (var i = 0; i < rollout.Ports.Count; i++) ctx.Sources.Add(SourceMap.PublishedPort(rollout.Name, i), obj.Root);
            if (rollout.Rollout?.WorkloadRef?.Name == rollout.Name && app.Services.TryGetValue(rollout.Name, out var referenced))
            {
                // Argo's migration pattern: a Rollout named as the Deployment it references. One name is one service here,
                // so the Rollout takes the Deployment's place, as if the Deployment were scaled down at once.
                if (referenced.Replication.Replicas > 0)
                    ctx.Diagnostics.Warning(obj.Metadata?["name"] ?? obj.Root, $"Rollout '{obj.Name}' has the name of the Deployment it references: the Rollout's replicas replace the Deployment's {referenced.Replication.Replicas} (scaleDown is immediate)", "rollout.workload-ref-name");
                app.Replace(rollout);
            }
            else app.Add(rollout, obj.Metadata?["name"] ?? obj.Root);
            app.AddImplicit(new Network("default", null, "bridge", false, false, false, false, default, default, default));
        }
        foreach (var obj in valid)
        {
            var at = obj.Metadata?["name"] ?? obj.Root;
            switch (obj.Kind)
            {
                case "Secret": app.Add(KubeResourceMapper.SecretOf(obj, ctx), at); break;
                case "ConfigMap": app.Add(KubeResourceMapper.ConfigOf(obj, ctx), at); break;
                case "PersistentVolumeClaim": app.Add(KubeResourceMapper.ClaimOf(obj, ctx), at); break;
                case "Service":
                    if (RouteMapper.Map(obj, app.Services, ctx) is { } route) app.Add(route, at);
                    break;
                case "Namespace":
                    // A namespace only scopes names: objects in it are NAME.NAMESPACE in the application (KubeNames).
                    break;
            }
        }
    }

    /// <summary>Old API groups of supported kinds get a precise hint; everything else is simply not supported.</summary>
    private static void ReportUnsupported(KubeObject obj, LoadContext ctx)
    {
        var at = obj.Root["kind"] ?? obj.Root;
        var supportedVersion = SchemaCatalog.Kubernetes.Keys.FirstOrDefault(k => k.EndsWith("/" + obj.Kind, StringComparison.Ordinal));
        if (supportedVersion is not null)
        {
            var version = supportedVersion[..^(obj.Kind.Length + 1)];
            ctx.Unsupported(at, $"{obj.Kind} '{obj.Name}' uses apiVersion {obj.ApiVersion}, which gitops does not support (use {version})", "k8s.unsupported-version", "; it is not applied");
        }
        else
        {
            ctx.Unsupported(at, $"kind {obj.Kind} ({obj.ApiVersion}) is not supported by gitops", "k8s.unsupported-kind", $": '{obj.Name}' is not applied");
        }
    }
}
