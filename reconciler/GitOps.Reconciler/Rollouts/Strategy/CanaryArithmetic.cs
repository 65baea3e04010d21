using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// Argo Rollouts' replica arithmetic for canaries (utils/replicaset/canary.go, replicaset.go), ported function by
/// function: how many replicas the canary and the stable version get for a weight, with and without a traffic router,
/// within maxSurge and maxUnavailable.
/// </summary>
internal static class CanaryArithmetic
{
    /// <summary>Argo's resolveFenceposts: surge rounds up, unavailability down, and both zero means one may be unavailable.</summary>
    public static (int Surge, int Unavailable) Fenceposts(IntOrPercent maxSurge, IntOrPercent maxUnavailable, int replicas)
    {
        var surge = maxSurge.Resolve(replicas, roundUp: true);
        var unavailable = maxUnavailable.Resolve(replicas, roundUp: false);
        if (surge == 0 && unavailable == 0) unavailable = 1;
        return (surge, unavailable);
    }

    public static int MaxSurge(CanaryStrategy canary, int replicas) => Fenceposts(canary.MaxSurge, canary.MaxUnavailable, replicas).Surge;

    /// <summary>Argo's MaxUnavailable: none with zero replicas, never more than the replicas.</summary>
    public static int MaxUnavailable(CanaryStrategy canary, int replicas)
    {
        if (replicas == 0) return 0;
        return Math.Min(Fenceposts(canary.MaxSurge, canary.MaxUnavailable, replicas).Unavailable, replicas);
    }

    /// <summary>
    /// Argo's approximateWeightedCanaryStableReplicaCounts: the canary and stable counts whose ratio comes closest to
    /// the weight, allowing one replica of surge when maxSurge permits; a weight strictly between 0 and 100 with two or
    /// more replicas never gives either side zero replicas. A tie between rounding down and up picks the larger canary.
    /// </summary>
    public static (int Canary, int Stable) Approximate(int specReplicas, int desiredWeight, int maxWeight, int maxSurge)
    {
        if (specReplicas == 0) return (0, 0);
        var options = new List<(int Canary, int Total)>();
        var ceil = (int)Math.Ceiling((double)specReplicas * desiredWeight / maxWeight);
        var floor = (int)Math.Floor((double)specReplicas * desiredWeight / maxWeight);
        var tied = Tied(desiredWeight, maxWeight, specReplicas);
        var zeroAllowed = desiredWeight == maxWeight || desiredWeight == 0 || (specReplicas == 1 && maxSurge == 0);
        if (ceil < specReplicas || zeroAllowed) options.Add((ceil, specReplicas));
        if (!tied && (floor != 0 || zeroAllowed)) options.Add((floor, specReplicas));
        if (maxSurge > 0)
        {
            options.Add((ceil, specReplicas + 1));
            if (!Tied(desiredWeight, maxWeight, specReplicas + 1) && (floor != 0 || zeroAllowed)) options.Add((floor, specReplicas + 1));
        }
        if (options.Count == 0) return (0, specReplicas);
        var best = options[0];
        var bestDelta = Delta(desiredWeight, maxWeight, best.Canary, best.Total);
        foreach (var option in options.Skip(1))
        {
            var delta = Delta(desiredWeight, maxWeight, option.Canary, option.Total);
            if (delta < bestDelta) (best, bestDelta) = (option, delta);
        }
        return (best.Canary, best.Total - best.Canary);
    }

    private static bool Tied(int desiredWeight, int maxWeight, int total)
    {
        var product = total * ((double)desiredWeight / maxWeight);
        return product - Math.Truncate(product) == 0.5;
    }

    private static double Delta(int desiredWeight, int maxWeight, int canary, int total) => Math.Abs((double)canary * maxWeight / total - desiredWeight);

    /// <summary>
    /// Argo's CalculateReplicaCountsForBasicCanary: the next canary and stable counts without a traffic router. It moves
    /// toward the approximated counts, growing within maxSurge (stable first) and shrinking within maxUnavailable
    /// (older versions first, then the side that is being drained).
    /// </summary>
    public static (int Canary, int Stable) Basic(int specReplicas, int desiredWeight, int maxSurge, int maxUnavailable,
        ReplicaSetView? newRs, ReplicaSetView? stableRs, IReadOnlyList<ReplicaSetView> oldRss)
    {
        var (desiredNew, desiredStable) = Approximate(specReplicas, desiredWeight, RolloutDefaults.MaxTrafficWeight, maxSurge);
        var stableCount = 0;
        var newCount = newRs?.Spec ?? 0;
        var scaleStable = StableExists(newRs, stableRs);
        if (scaleStable) stableCount = stableRs!.Spec;
        else
        {
            // No stable (or it is the new version): no steps apply, the new version goes to 100%.
            desiredNew = specReplicas;
            desiredStable = 0;
        }

        var maxAllowed = specReplicas + maxSurge;
        var total = oldRss.Sum(r => r.Spec) + (newRs?.Spec ?? 0) + (scaleStable ? stableRs!.Spec : 0);
        var scaleUp = maxAllowed - total;

        if (scaleStable && stableRs!.Spec < desiredStable && scaleUp > 0)
        {
            if (stableRs.Spec + scaleUp < desiredStable)
            {
                stableCount = stableRs.Spec + scaleUp;
                scaleUp = 0;
            }
            else
            {
                stableCount = desiredStable;
                scaleUp -= desiredStable - stableRs.Spec;
            }
        }
        if (newRs is not null && newRs.Spec < desiredNew && scaleUp > 0)
            newCount = newRs.Spec + scaleUp < desiredNew ? newRs.Spec + scaleUp : desiredNew;

        // Older versions are scaled down first, before the new or stable version loses anything.
        if (oldRss.Sum(r => r.Spec) > 0) return (newCount, stableCount);

        var minAvailable = specReplicas - maxUnavailable;
        var increasing = newRs is null || desiredNew >= newRs.Spec;
        var toScaleDown = ForScaleDown(newRs, !increasing) + ForScaleDown(stableRs, increasing);
        if (toScaleDown <= minAvailable) return (newCount, stableCount);

        var scaleDownCount = toScaleDown - minAvailable;
        if (!increasing)
        {
            newCount = ScaleDownCount(newRs, desiredNew, scaleDownCount, newCount);
            (newCount, stableCount) = WithinLimits(newRs, stableRs, newCount, stableCount, maxAllowed, minAvailable);
        }
        else if (scaleStable)
        {
            stableCount = ScaleDownCount(stableRs, desiredStable, scaleDownCount, stableCount);
            (stableCount, newCount) = WithinLimits(stableRs, newRs, stableCount, newCount, maxAllowed, minAvailable);
        }
        return (newCount, stableCount);
    }

    /// <summary>
    /// Argo's CalculateReplicaCountsForTrafficRoutedCanary: the canary gets ceil(weight × replicas) (or its
    /// setCanaryScale), the stable version stays at full size unless dynamicStableScale, where it follows the higher of
    /// its desired and its actual traffic share (and, while aborting, the canary keeps what its traffic still needs).
    /// </summary>
    public static (int Canary, int Stable) TrafficRouted(int specReplicas, int? setCanaryScaleReplicas, int desiredWeight, CanaryStrategy canary,
        TrafficWeights? weights, bool aborted)
    {
        var maxWeight = RolloutDefaults.MaxTrafficWeight;
        var canaryCount = setCanaryScaleReplicas ?? MinPods(canary, specReplicas, ToReplicas(specReplicas, desiredWeight, maxWeight));
        if (!canary.DynamicStableScale) return (canaryCount, specReplicas);
        var stableCount = ToReplicas(specReplicas, maxWeight - desiredWeight, maxWeight);
        if (weights is not null)
        {
            stableCount = Math.Max(stableCount, ToReplicas(specReplicas, maxWeight - weights.CanaryWeight, maxWeight));
            if (aborted) canaryCount = Math.Max(ToReplicas(specReplicas, weights.CanaryWeight, maxWeight), canaryCount);
        }
        return (MinPods(canary, specReplicas, canaryCount), MinPods(canary, specReplicas, stableCount));
    }

    /// <summary>Argo's trafficWeightToReplicas: rounded up.</summary>
    public static int ToReplicas(int replicas, int weight, int maxWeight) => (int)Math.Ceiling((double)weight * replicas / maxWeight);

    private static int MinPods(CanaryStrategy canary, int specReplicas, int count) =>
        count == 0 || canary.MinPodsPerReplicaSet is not { } min ? count : Math.Max(count, Math.Min(min, specReplicas));

    private static bool StableExists(ReplicaSetView? newRs, ReplicaSetView? stableRs) =>
        stableRs is not null && (newRs is null || newRs.Version != stableRs.Version);

    /// <summary>Argo's GetReplicasForScaleDown: replicas that count as "up" for the unavailability budget.</summary>
    private static int ForScaleDown(ReplicaSetView? rs, bool ignoreAvailability)
    {
        if (rs is null) return 0;
        if (rs.Spec < rs.Available) return rs.Spec;
        return ignoreAvailability ? rs.Spec : rs.Available;
    }

    private static int ScaleDownCount(ReplicaSetView? drain, int desired, int scaleDownCount, int current) =>
        drain is not null && drain.Spec > desired ? Math.Max(desired, drain.Spec - scaleDownCount) : current;

    /// <summary>Argo's adjustReplicaWithinLimits: keeps the pair within maxSurge without breaking maxUnavailable.</summary>
    private static (int Drain, int Adjust) WithinLimits(ReplicaSetView? drainRs, ReplicaSetView? adjustRs, int drainCount, int adjustCount, int maxAllowed, int minAvailable)
    {
        var totalAvailable = 0;
        var overLimit = Math.Max(0, adjustCount + drainCount - maxAllowed);
        if (drainRs is not null) totalAvailable += Math.Min(drainRs.Available, drainCount);
        if (adjustRs is not null)
        {
            adjustCount -= overLimit;
            totalAvailable += Math.Min(adjustRs.Available, adjustCount);
            var extraAvailable = Math.Max(0, adjustRs.Available - adjustCount);
            var moreNeeded = Math.Max(0, minAvailable - totalAvailable);
            adjustCount += Math.Min(extraAvailable, moreNeeded);
            overLimit = Math.Max(0, adjustCount + drainCount - maxAllowed);
            drainCount -= overLimit;
        }
        return (drainCount, adjustCount);
    }
}
