using System.Globalization;
using GitOps.Reconciler.Values;

namespace GitOps.Reconciler.Rollouts.Model;

/// <summary>
/// One canary step; <see cref="Kind"/> says which of the optional parts is set. A pause without
/// <see cref="Duration"/> waits for <c>gitops rollout promote</c>.
/// </summary>
internal sealed record CanaryStep(
    CanaryStepKind Kind,
    int? Weight = null,
    TimeSpan? Duration = null,
    RolloutAnalysis? Analysis = null,
    CanaryScale? Scale = null,
    HeaderRoute? HeaderRoute = null)
{
    public static CanaryStep SetWeight(int weight) => new(CanaryStepKind.SetWeight, Weight: weight);

    public static CanaryStep Pause(TimeSpan? duration = null) => new(CanaryStepKind.Pause, Duration: duration);

    /// <summary>How Argo Rollouts names a step in events ("setWeight: 20", "pause: 40s", "analysis").</summary>
    public override string ToString() => Kind switch
    {
        CanaryStepKind.SetWeight => "setWeight: " + Weight?.ToString(CultureInfo.InvariantCulture),
        CanaryStepKind.Pause => Duration is { } d ? "pause: " + GoDuration.Format(d) : "pause",
        CanaryStepKind.Analysis => "analysis",
        CanaryStepKind.SetCanaryScale => Scale switch
        {
            { Weight: { } w } => $"setCanaryScale{{weight: {w.ToString(CultureInfo.InvariantCulture)}}}",
            { MatchTrafficWeight: true } => "setCanaryScale{matchTrafficWeight: true}",
            { Replicas: { } r } => $"setCanaryScale{{replicas: {r.ToString(CultureInfo.InvariantCulture)}}}",
            _ => "setCanaryScale",
        },
        CanaryStepKind.SetHeaderRoute => "setHeaderRoute: " + HeaderRoute?.Name,
        _ => "invalid",
    };
}

internal enum CanaryStepKind
{
    SetWeight,
    Pause,
    Analysis,
    SetCanaryScale,
    SetHeaderRoute,
}

/// <summary><c>setCanaryScale</c>: the canary's replicas decoupled from its traffic weight (only with a weighted router).</summary>
internal sealed record CanaryScale(int? Replicas, int? Weight, bool MatchTrafficWeight);

/// <summary><c>setHeaderRoute</c>: requests matching all <see cref="Matches"/> go to the canary; no matches removes the route.</summary>
internal sealed record HeaderRoute(string Name, GitOps.Reconciler.Model.ValueList<HeaderMatch> Matches);

/// <summary>One header condition of a header route: exact, prefix or regular-expression match on its value.</summary>
internal sealed record HeaderMatch(string Header, HeaderMatchKind Kind, string Value);

internal enum HeaderMatchKind
{
    Exact,
    Prefix,
    Regex,
}
