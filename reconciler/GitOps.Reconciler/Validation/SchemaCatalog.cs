using System.Collections.Concurrent;
using NJsonSchema;

namespace GitOps.Reconciler.Validation;

/// <summary>
/// The embedded schemas (see schemas/SOURCES.md), parsed once on first use and shared: the Kubernetes ones are
/// ~650 KB each, so only the kinds a load actually meets are parsed.
/// </summary>
internal static class SchemaCatalog
{
    public const string Compose = "schemas/compose/compose-spec.json";

    /// <summary>A Compose service's <c>x-rollout</c> and the top-level <c>x-analysis-templates</c> (Argo Rollouts' vocabulary).</summary>
    public const string XRollout = "schemas/rollouts/x-rollout.schema.json";
    public const string XAnalysisTemplates = "schemas/rollouts/x-analysis-templates.schema.json";

    /// <summary>Supported Kubernetes kinds, by <c>apiVersion/kind</c>, and their schema resources.</summary>
    public static readonly IReadOnlyDictionary<string, string> Kubernetes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["v1/Pod"] = "schemas/k8s/pod-v1.json",
        ["v1/Service"] = "schemas/k8s/service-v1.json",
        ["v1/Secret"] = "schemas/k8s/secret-v1.json",
        ["v1/ConfigMap"] = "schemas/k8s/configmap-v1.json",
        ["v1/PersistentVolumeClaim"] = "schemas/k8s/persistentvolumeclaim-v1.json",
        ["v1/Namespace"] = "schemas/k8s/namespace-v1.json",
        ["v1/ReplicationController"] = "schemas/k8s/replicationcontroller-v1.derived.json",
        ["apps/v1/ReplicaSet"] = "schemas/k8s/replicaset-apps-v1.json",
        ["apps/v1/Deployment"] = "schemas/k8s/deployment-apps-v1.json",
        ["apps/v1/StatefulSet"] = "schemas/k8s/statefulset-apps-v1.json",
        ["apps/v1/DaemonSet"] = "schemas/k8s/daemonset-apps-v1.json",
        ["batch/v1/Job"] = "schemas/k8s/job-batch-v1.json",
        ["batch/v1/CronJob"] = "schemas/k8s/cronjob-batch-v1.json",
        ["argoproj.io/v1alpha1/Rollout"] = "schemas/rollouts/rollout-argoproj-v1alpha1.json",
        ["argoproj.io/v1alpha1/AnalysisTemplate"] = "schemas/rollouts/analysistemplate-argoproj-v1alpha1.json",
        ["argoproj.io/v1alpha1/ClusterAnalysisTemplate"] = "schemas/rollouts/analysistemplate-argoproj-v1alpha1.json",
    };

    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Cache = new(StringComparer.Ordinal);

    public static JsonSchema Get(string resource) =>
        Cache.GetOrAdd(resource, r => new Lazy<JsonSchema>(() => Load(r), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private static JsonSchema Load(string resource)
    {
        using var stream = typeof(SchemaCatalog).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"schema resource {resource} is not embedded in the assembly");
        using var reader = new StreamReader(stream);
        var json = reader.ReadToEnd();
        // NJsonSchema only offers an async loader; no synchronization context exists here, so blocking is safe.
        return JsonSchema.FromJsonAsync(json).GetAwaiter().GetResult();
    }
}
