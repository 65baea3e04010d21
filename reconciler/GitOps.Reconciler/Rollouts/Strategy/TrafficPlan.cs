using System.Globalization;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// How traffic is split between the stable and the canary version, and how: set on a router
/// (<see cref="TrafficMode.Router"/>, exact) or approximated by replica counts (<see cref="TrafficMode.ReplicaCount"/>,
/// where <see cref="EffectiveWeight"/> is the canary's share of the replicas that will run). <see cref="Note"/> says so
/// in words for the plan ("weights approximated by replica counts: setWeight 25 → 1 of 4 replicas (25%)").
/// </summary>
internal sealed record TrafficPlan(TrafficMode Mode, string? StableVersion, string? CanaryVersion, int DesiredWeight, double? EffectiveWeight, string? Note)
{
    public static TrafficPlan AllTo(string? version) => new(TrafficMode.None, version, null, 0, null, null);

    public static TrafficPlan Approximated(string? stable, string? canary, int weight, int canaryReplicas, int stableReplicas)
    {
        var total = canaryReplicas + stableReplicas;
        double? effective = total == 0 ? null : 100.0 * canaryReplicas / total;
        var share = effective is { } e ? e.ToString("0.#", CultureInfo.InvariantCulture) + "%" : "no replicas";
        return new TrafficPlan(TrafficMode.ReplicaCount, stable, canary, weight, effective,
            $"weights approximated by replica counts (no weighted router for this service): setWeight {weight.ToString(CultureInfo.InvariantCulture)} → {canaryReplicas.ToString(CultureInfo.InvariantCulture)} of {total.ToString(CultureInfo.InvariantCulture)} replicas ({share})");
    }
}

internal enum TrafficMode
{
    /// <summary>One version serves everything (no canary in flight).</summary>
    None,
    Router,
    ReplicaCount,
}
