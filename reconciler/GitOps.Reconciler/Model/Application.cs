namespace GitOps.Reconciler.Model;

/// <summary>
/// The desired state of one application, whichever format it was written in: services, the resources
/// they use, the routes (service addresses) in front of them, and the objects gitops cannot run
/// (reported, kept here so nothing is silently dropped). Immutable; equal content means equal records.
/// </summary>
internal sealed record Application(
    string Name,
    ValueMap<Service> Services,
    ValueMap<Network> Networks,
    ValueMap<Volume> Volumes,
    ValueMap<Secret> Secrets,
    ValueMap<Config> Configs,
    ValueMap<Route> Routes,
    ValueList<UnsupportedResource> Unsupported)
{
    /// <summary>AnalysisTemplates and ClusterAnalysisTemplates (key "cluster/NAME"), and Compose's <c>x-analysis-templates</c>.</summary>
    public ValueMap<Rollouts.Model.AnalysisTemplate> AnalysisTemplates { get; init; }
}
