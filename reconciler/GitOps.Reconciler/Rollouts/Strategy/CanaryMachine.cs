using System.Globalization;
using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// One tick of the canary strategy, in the order of Argo Rollouts' rolloutCanary: routes pinned to the stable and canary
/// versions, traffic weights (on a router) or their replica-count approximation, analysis runs, replica counts (stable,
/// then canary, then older versions — one of them per tick, as Argo waits for each to settle), the pause of a pause step,
/// and the step bookkeeping: full promotion, abort, or the next step.
/// </summary>
internal static class CanaryMachine
{
    public static void Reconcile(RolloutContext c)
    {
        var canary = c.Spec.Canary!;
        var v = Versions.Of(c);
        Pin(c, canary, v);
        Traffic(c, canary, v);
        AnalysisCoordinator.Canary(c);
        // An inconclusive analysis pauses before anything else moves (Argo returns right after adding the pause).
        if (!c.HasAddPause)
        {
            ReplicaSets(c, canary, v);
            Pause(c, canary);
        }
        Sync(c, canary, v);
        if (c.Input.Routing == TrafficRouting.Replicas) c.Traffic = Approximation(c, v);
    }

    /// <summary>canaryService selects only the canary, stableService only the stable version (both the stable one when nothing is in flight or after an abort).</summary>
    private static void Pin(RolloutContext c, CanaryStrategy canary, Versions v)
    {
        var stable = c.Prev.StableVersion ?? c.NewVersion;
        if (canary.StableService is { } s) c.Routes.Add(new RoutePin(s, VersionRole.Stable, stable));
        if (canary.CanaryService is { } cs) c.Routes.Add(new RoutePin(cs, VersionRole.Canary, c.IsAborted || !v.CanaryInFlight ? stable : c.NewVersion));
    }

    /// <summary>The weight the router should give the canary (Argo's reconcileTrafficRouting), and the header routes.</summary>
    private static void Traffic(RolloutContext c, CanaryStrategy canary, Versions v)
    {
        if (c.Input.Routing == TrafficRouting.Replicas) return;
        var prev = c.Prev;
        var index = prev.StepIndex;
        int weight;
        var removeRoutes = false;
        if (!v.CanaryInFlight)
        {
            weight = 0;
            removeRoutes = true;
        }
        else if (c.IsAborted)
        {
            weight = 0;
            removeRoutes = true;
        }
        else if (v.New is not { Available: > 0 })
        {
            weight = 0;
            removeRoutes = true;
        }
        else if (prev.PromoteFull)
        {
            weight = prev.CanaryWeight ?? 0;
            removeRoutes = true;
        }
        else if (canary.Steps.Count == 0) weight = 0;
        else if (!AtDesiredCounts(c, canary, v, verifyWeight: false)) weight = CanarySteps.PreviousSetWeight(canary, index ?? 0);
        else if ((index ?? 0) != canary.Steps.Count) weight = CanarySteps.CurrentSetWeight(canary, index, aborted: false);
        else weight = RolloutDefaults.MaxTrafficWeight;

        // The stable version must be able to carry what it keeps (Argo's checkReplicasAvailable); until then nothing moves.
        if (v.Stable is { } stable && v.CanaryInFlight && stable.Available < CanaryArithmetic.ToReplicas(c.Input.Replicas, RolloutDefaults.MaxTrafficWeight - weight, RolloutDefaults.MaxTrafficWeight))
            weight = prev.CanaryWeight ?? 0;

        if (removeRoutes) c.HeaderRoutes.Clear();
        else if (c.Input.Routing == TrafficRouting.Http && CanarySteps.Current(canary, index) is { Kind: CanaryStepKind.SetHeaderRoute, HeaderRoute: { } route })
        {
            c.HeaderRoutes.RemoveAll(r => r.Name == route.Name);
            if (route.Matches.Count > 0) c.HeaderRoutes.Add(new HeaderRouteState(route.Name, [.. route.Matches]));
        }
        if (v.CanaryInFlight)
        {
            if (prev.CanaryWeight != weight)
                c.Event("TrafficWeightUpdated", $"Traffic weight updated from {(prev.CanaryWeight ?? 0).ToString(CultureInfo.InvariantCulture)} to {weight.ToString(CultureInfo.InvariantCulture)}");
            c.Next = c.Next with { CanaryWeight = weight };
            c.Traffic = new TrafficPlan(TrafficMode.Router, prev.StableVersion, c.NewVersion, weight, weight, null);
        }
        else
        {
            c.Next = c.Next with { CanaryWeight = null };
            c.Traffic = TrafficPlan.AllTo(prev.StableVersion ?? c.NewVersion);
        }
    }

    /// <summary>The weight (or explicit canary replicas) the replica counts are computed for (Argo's GetCanaryReplicasOrWeight).</summary>
    private static (int? Replicas, int Weight) Desired(RolloutContext c, CanaryStrategy canary, Versions v)
    {
        var prev = c.Prev;
        if (prev.PromoteFull || !v.CanaryInFlight) return (null, RolloutDefaults.MaxTrafficWeight);
        var routed = c.Input.Routing != TrafficRouting.Replicas;
        if (CanarySteps.SetCanaryScale(canary, prev.StepIndex, routed, c.IsAborted) is { } scale)
        {
            if (scale.Replicas is { } r) return (r, 0);
            if (scale.Weight is { } w) return (null, w);
        }
        return (null, CanarySteps.CurrentSetWeight(canary, prev.StepIndex, c.IsAborted));
    }

    /// <summary>The counts the canary and stable version should reach for this tick (basic or traffic-routed arithmetic).</summary>
    private static (int Canary, int Stable) Counts(RolloutContext c, CanaryStrategy canary, Versions v)
    {
        var replicas = c.Input.Replicas;
        var (scaleReplicas, weight) = Desired(c, canary, v);
        if (c.Input.Routing == TrafficRouting.Replicas)
        {
            return CanaryArithmetic.Basic(replicas, weight, CanaryArithmetic.MaxSurge(canary, replicas), CanaryArithmetic.MaxUnavailable(canary, replicas),
                v.New, v.CanaryInFlight ? v.Stable : null, v.Others);
        }
        if (!v.CanaryInFlight) return (replicas, 0);
        return CanaryArithmetic.TrafficRouted(replicas, scaleReplicas, weight, canary, c.Input.Observed.Weights, c.IsAborted);
    }

    /// <summary>Argo's AtDesiredReplicaCountsForCanary, plus (with a router that reports) the weight actually applied.</summary>
    private static bool AtDesiredCounts(RolloutContext c, CanaryStrategy canary, Versions v, bool verifyWeight)
    {
        var (desiredNew, desiredStable) = Counts(c, canary, v);
        if (v.New is null || v.New.Spec != desiredNew || v.New.Available != desiredNew) return false;
        var routed = c.Input.Routing != TrafficRouting.Replicas;
        if (!routed || !canary.DynamicStableScale)
            if (v.Stable is null || v.Stable.Spec != desiredStable) return false;
        if (!routed && v.Others.Sum(o => o.Available) != 0) return false;
        if (verifyWeight && routed && c.Input.Observed.Weights is { } applied)
            return applied.CanaryVersion == c.NewVersion && applied.CanaryWeight == (c.Next.CanaryWeight ?? 0);
        return true;
    }

    private static void ReplicaSets(RolloutContext c, CanaryStrategy canary, Versions v)
    {
        if (c.HaltProgress() is not null) return;
        var routed = c.Input.Routing != TrafficRouting.Replicas;
        // Versions that have a role again lose any scale-down deadline (Argo's removeScaleDownDeadlines).
        c.Next = c.Next with { ScaleDownDeadlines = [.. c.Next.ScaleDownDeadlines.Where(d => d.Version != c.NewVersion && d.Version != c.Prev.StableVersion)] };
        var (desiredNew, desiredStable) = Counts(c, canary, v);

        if (v.CanaryInFlight && v.Stable is { } stable && stable.Spec != desiredStable)
        {
            c.SetScale(stable.Version, VersionRole.Stable, desiredStable);
            return;
        }

        if (routed && c.IsAborted && v.CanaryInFlight)
        {
            // The canary keeps its replicas for abortScaleDownDelaySeconds once the stable version is back in full,
            // or for good when that is 0 (Argo's shouldDelayScaleDownOnAbort).
            if (canary.AbortScaleDownDelay is not { } delay) return;
            var deadline = c.Prev.ScaleDownDeadlines.FirstOrDefault(d => d.Version == c.NewVersion);
            if (deadline is null)
            {
                if (v.Stable is { } s && s.Available >= c.Input.Replicas)
                {
                    c.Next = c.Next with { ScaleDownDeadlines = [.. c.Next.ScaleDownDeadlines, new ScaleDownDeadline(c.NewVersion, c.Now + delay)] };
                    c.RequeueBy(c.Now + delay);
                }
                return;
            }
            if (deadline.At > c.Now)
            {
                c.Next = c.Next with { ScaleDownDeadlines = [.. c.Next.ScaleDownDeadlines, deadline] };
                c.RequeueBy(deadline.At);
                return;
            }
            desiredNew = 0;
        }

        if ((v.New?.Spec ?? 0) != desiredNew)
        {
            c.SetScale(c.NewVersion, VersionRole.Canary, desiredNew);
            return;
        }
        ScaleDownOld(c, canary, v, routed);
    }

    /// <summary>Argo's scaleDownOldReplicaSetsForCanary: older versions go within maxUnavailable (after a delay, with a router).</summary>
    private static void ScaleDownOld(RolloutContext c, CanaryStrategy canary, Versions v, bool routed)
    {
        var replicas = c.Input.Replicas;
        var minAvailable = replicas - CanaryArithmetic.MaxUnavailable(canary, replicas);
        // Unhealthy replicas of older versions go first: they serve nothing and would block the rollout.
        var maxCleanup = v.All.Sum(r => r.Spec) - minAvailable - Math.Max(0, (v.New?.Spec ?? 0) - (v.New?.Available ?? 0));
        var others = new List<ReplicaSetView>();
        foreach (var old in v.Others)
        {
            var unhealthy = Math.Min(Math.Max(0, maxCleanup), old.Spec - Math.Min(old.Spec, old.Available));
            if (unhealthy > 0)
            {
                maxCleanup -= unhealthy;
                c.SetScale(old.Version, VersionRole.Old, old.Spec - unhealthy);
                others.Add(old with { Spec = old.Spec - unhealthy });
            }
            else others.Add(old);
        }
        var maxScaleDown = v.All.Sum(r => r.Available) - minAvailable;
        var fullyPromoted = !v.CanaryInFlight;
        foreach (var old in others)
        {
            if (maxScaleDown <= 0) break;
            if (old.Spec == 0) continue;
            var desired = 0;
            if (!routed) desired = old.Spec > maxScaleDown ? old.Spec - maxScaleDown : 0;
            else if (fullyPromoted || c.Prev.ScaleDownDeadlines.Any(d => d.Version == old.Version))
                desired = canary.DynamicStableScale ? 0 : DelayedScaleDown(c, old, canary.ScaleDownDelay, old.Spec);
            if (desired == old.Spec) continue;
            c.SetScale(old.Version, VersionRole.Old, desired);
            maxScaleDown -= old.Spec - desired;
        }
    }

    /// <summary>Argo's scaleDownDelayHelper: a version losing its role keeps <paramref name="keep"/> replicas until its deadline.</summary>
    public static int DelayedScaleDown(RolloutContext c, ReplicaSetView rs, TimeSpan delay, int keep)
    {
        var deadline = c.Prev.ScaleDownDeadlines.FirstOrDefault(d => d.Version == rs.Version);
        if (deadline is null)
        {
            c.Next = c.Next with { ScaleDownDeadlines = [.. c.Next.ScaleDownDeadlines.Where(d => d.Version != rs.Version), new ScaleDownDeadline(rs.Version, c.Now + delay)] };
            c.RequeueBy(c.Now + delay);
            return rs.Spec;
        }
        if (deadline.At > c.Now)
        {
            if (!c.Next.ScaleDownDeadlines.Contains(deadline)) c.Next = c.Next with { ScaleDownDeadlines = [.. c.Next.ScaleDownDeadlines, deadline] };
            c.RequeueBy(deadline.At);
            return keep;
        }
        c.Next = c.Next with { ScaleDownDeadlines = [.. c.Next.ScaleDownDeadlines.Where(d => d.Version != rs.Version)] };
        return 0;
    }

    /// <summary>Argo's reconcileCanaryPause: a pause step pauses the rollout once, and wakes it at its deadline.</summary>
    private static void Pause(RolloutContext c, CanaryStrategy canary)
    {
        if (c.UserPaused || c.Prev.PromoteFull) return;
        if (CanarySteps.Current(canary, c.Prev.StepIndex) is not { Kind: CanaryStepKind.Pause } step) return;
        var condition = c.Prev.Pause(PauseReason.CanaryPauseStep);
        if (condition is null)
        {
            if (!c.Prev.ControllerPause) c.AddPause(PauseReason.CanaryPauseStep);
            if (step.Duration is { } d) c.RequeueBy(c.Now + d);
            return;
        }
        if (step.Duration is { } duration) c.RequeueBy(condition.StartTime + duration);
    }

    /// <summary>Argo's syncRolloutStatusCanary: promote, hold an abort at step 0, or move past a completed step.</summary>
    private static void Sync(RolloutContext c, CanaryStrategy canary, Versions v)
    {
        var stepCount = canary.Steps.Count;
        var index = c.Prev.StepIndex;
        if (c.Prev.PromoteFull)
        {
            c.ClearPause();
            c.RemoveAbort();
            if (stepCount > 0) index = stepCount;
        }
        if (ShouldFullPromote(c, v, index, stepCount) is { } reason)
        {
            Promotion.PromoteStable(c, reason);
            c.Next = c.Next with { StepIndex = stepCount > 0 ? stepCount : null, HeaderRoutes = [] };
            c.HeaderRoutes.Clear();
            return;
        }
        if (c.IsAborted)
        {
            c.Next = c.Next with { StepIndex = stepCount > 0 ? (c.Prev.FullyPromoted ? stepCount : 0) : null };
            return;
        }
        if (CompletedCurrentStep(c, canary, v) && CanarySteps.Current(canary, index) is { } step)
        {
            index = (index ?? 0) + 1;
            var note = step.Kind == CanaryStepKind.SetHeaderRoute && c.Input.Routing != TrafficRouting.Http ? " (skipped: header routes need the HTTP router)" : "";
            c.Event("RolloutStepCompleted", $"Rollout step {index.Value.ToString(CultureInfo.InvariantCulture)}/{stepCount.ToString(CultureInfo.InvariantCulture)} completed ({step}){note}");
            c.RemovePause(PauseReason.CanaryPauseStep);
            c.RequeueBy(c.Now);
        }
        c.Next = c.Next with { StepIndex = stepCount > 0 ? index ?? 0 : null };
    }

    private static string? ShouldFullPromote(RolloutContext c, Versions v, int? index, int stepCount)
    {
        if (c.Prev.StableVersion is null) return "Initial deploy";
        if (c.IsAborted || !v.CanaryInFlight) return null;
        if ((v.New?.Available ?? 0) < c.Input.Replicas) return null;
        if (c.Prev.PromoteFull) return "Full promotion requested";
        if (stepCount == 0 || index == stepCount) return $"Completed all {stepCount.ToString(CultureInfo.InvariantCulture)} canary steps";
        return null;
    }

    private static bool CompletedCurrentStep(RolloutContext c, CanaryStrategy canary, Versions v)
    {
        if (c.UserPaused) return false;
        var step = CanarySteps.Current(canary, c.Prev.StepIndex);
        switch (step?.Kind)
        {
            case CanaryStepKind.Pause:
                var condition = c.Prev.Pause(PauseReason.CanaryPauseStep);
                if (c.Prev.ControllerPause && condition is null) return true;
                return step.Duration is { } d && condition is not null && c.Now >= condition.StartTime + d;
            case CanaryStepKind.SetCanaryScale:
                return AtDesiredCounts(c, canary, v, verifyWeight: false);
            case CanaryStepKind.SetWeight:
                return AtDesiredCounts(c, canary, v, verifyWeight: true);
            case CanaryStepKind.Analysis:
                var run = c.Next.Run(c.Next.StepRun);
                return run is { Phase: AnalysisPhase.Successful } && run.StepIndex == (c.Prev.StepIndex ?? 0);
            case CanaryStepKind.SetHeaderRoute:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Without a router, the weight is what the replica counts make it; the plan says so.</summary>
    private static TrafficPlan Approximation(RolloutContext c, Versions v)
    {
        if (!v.CanaryInFlight || c.Next.StableVersion == c.NewVersion) return TrafficPlan.AllTo(c.Next.StableVersion ?? c.NewVersion);
        int Target(string version, int observed) => c.Scale.TryGetValue(version, out var s) ? s.Replicas : observed;
        var canaryReplicas = Target(c.NewVersion, v.New?.Spec ?? 0);
        var stableReplicas = v.Stable is { } st ? Target(st.Version, st.Spec) : 0;
        var weight = CanarySteps.CurrentSetWeight(c.Spec.Canary!, c.Next.StepIndex, c.IsAborted);
        return TrafficPlan.Approximated(c.Prev.StableVersion, c.NewVersion, weight, canaryReplicas, stableReplicas);
    }
}
