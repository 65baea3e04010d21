using System.Text.Json.Serialization;
using GitOps.Reconciler.Rollouts.Analysis;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// The rollout's persisted records, serialised without reflection (NativeAOT). Enums are written by name, so a state
/// file reads as Argo's status does ("CanaryPauseStep", "Successful").
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RolloutState))]
[JsonSerializable(typeof(List<RolloutState>))]
[JsonSerializable(typeof(AnalysisRun))]
internal sealed partial class RolloutJson : JsonSerializerContext;
