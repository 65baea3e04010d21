using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// One tick's input: the desired state from Git (the spec, the replica count, the desired version and a digest of the
/// whole service spec), the application's analysis templates, what the engine can do with traffic and what it observes.
/// </summary>
internal sealed record RolloutInput(
    string App,
    string Service,
    RolloutSpec Spec,
    int Replicas,
    string Version,
    string SpecDigest,
    string? Commit,
    IReadOnlyDictionary<string, AnalysisTemplate> Templates,
    TrafficRouting Routing,
    RolloutObservation Observed);
