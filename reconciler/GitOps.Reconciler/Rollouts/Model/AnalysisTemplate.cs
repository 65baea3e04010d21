using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>
/// An AnalysisTemplate or ClusterAnalysisTemplate (<see cref="Cluster"/>), or a Compose <c>x-analysis-templates</c>
/// entry: arguments with optional defaults, metrics, and the metrics that run dry (<c>dryRun</c>, "*" for all).
/// </summary>
internal sealed record AnalysisTemplate(
    string Name,
    bool Cluster,
    ValueList<TemplateArgument> Args,
    ValueList<AnalysisMetric> Metrics,
    ValueList<string> DryRun)
{
    /// <summary>The key templates are kept under in the application: cluster templates live in their own name space.</summary>
    public string Key => KeyOf(Name, Cluster);

    public static string KeyOf(string name, bool cluster) => cluster ? "cluster/" + name : name;
}

/// <summary>
/// A template argument: a default <see cref="Value"/> (null: the rollout must pass it) or a secret's key, read when a
/// measurement is taken and masked in every message (never stored, never shown).
/// </summary>
internal sealed record TemplateArgument(string Name, string? Value, SecretKeyRef? Secret);

/// <summary>A key of a Secret (Kubernetes) or of a secret of the application (Compose).</summary>
internal sealed record SecretKeyRef(string Name, string Key);
