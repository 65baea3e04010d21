using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// One tick of the blue-green strategy, in the order of Argo Rollouts' rolloutBlueGreen: the preview points at the new
/// version, replica counts (stable in full, the new version at previewReplicaCount until promotion, older versions after
/// scaleDownDelaySeconds), the pause before promotion (manual, or autoPromotionSeconds), the switch of the active side,
/// pre- and post-promotion analysis, and promotion once the active side serves the new version and post-promotion
/// analysis passed. An abort sends the active side back to the stable version at once.
/// </summary>
internal static class BlueGreenMachine
{
    public static void Reconcile(RolloutContext c)
    {
        var bg = c.Spec.BlueGreen!;
        var v = Versions.Of(c);
        var replicas = c.Input.Replicas;
        if (c.HaltProgress() is null) c.Next = c.Next with { PreviewVersion = c.NewVersion };

        var newDesired = NewReplicas(c, bg);
        ReplicaSets(c, bg, v, newDesired);
        var readyForPause = v.New.Spec == newDesired && v.New.Available == newDesired;
        var saturated = v.New.Spec == replicas && v.New.Available == replicas;
        Pause(c, bg, readyForPause);
        ActiveSwitch(c, bg, readyForPause && saturated);
        AnalysisCoordinator.BlueGreen(c, saturated || (bg.PreviewReplicaCount is { } p && v.New.Spec == p && v.New.Available == p && c.Prev.ActiveVersion != c.NewVersion));
        Sync(c, bg, v);
        Pins(c, bg);
    }

    /// <summary>Argo's NewRSNewReplicas for blue-green: previewReplicaCount until the switch is due.</summary>
    private static int NewReplicas(RolloutContext c, BlueGreenStrategy bg)
    {
        var replicas = c.Input.Replicas;
        if (bg.PreviewReplicaCount is not { } preview) return replicas;
        var active = c.Prev.ActiveVersion;
        if (active is null || active == c.NewVersion || c.Observed(active) is null) return replicas;
        if (c.Prev.PromoteFull) return replicas;
        var notPaused = !c.UserPaused && c.Prev.PauseConditions.Count == 0;
        if (notPaused && c.Prev.ScaleUpPreviewCheckPoint) return replicas;
        return preview;
    }

    private static void ReplicaSets(RolloutContext c, BlueGreenStrategy bg, Versions v, int newDesired)
    {
        var replicas = c.Input.Replicas;
        c.Next = c.Next with { ScaleDownDeadlines = [.. c.Next.ScaleDownDeadlines.Where(d => d.Version != c.NewVersion && d.Version != c.Prev.StableVersion)] };
        if (v.Stable is { } stable) c.SetScale(stable.Version, VersionRole.Stable, replicas);

        var keepNew = false;
        if (c.IsAborted && v.Stable is { } s && bg.AbortScaleDownDelay is { } delay)
        {
            // The preview keeps its replicas for abortScaleDownDelaySeconds once the stable version is fully up (Argo's shouldDelayScaleDownOnAbort).
            var deadline = c.Prev.ScaleDownDeadlines.FirstOrDefault(d => d.Version == c.NewVersion);
            if (deadline is null)
            {
                keepNew = true;
                if (s.Available >= replicas)
                {
                    c.Next = c.Next with { ScaleDownDeadlines = [.. c.Next.ScaleDownDeadlines, new ScaleDownDeadline(c.NewVersion, c.Now + delay)] };
                    c.RequeueBy(c.Now + delay);
                }
            }
            else if (deadline.At > c.Now)
            {
                keepNew = true;
                c.Next = c.Next with { ScaleDownDeadlines = [.. c.Next.ScaleDownDeadlines, deadline] };
                c.RequeueBy(deadline.At);
            }
            else newDesired = 0;
        }
        if (!keepNew) c.SetScale(c.NewVersion, v.Stable is null ? VersionRole.Stable : VersionRole.Preview, newDesired);

        // Older versions (not stable, not new, not what a route still serves) go after scaleDownDelaySeconds.
        if (c.Prev.Pause(PauseReason.InconclusiveAnalysisRun) is not null) return;
        foreach (var old in v.Others)
        {
            if (old.Version == c.Next.ActiveVersion || old.Version == c.Prev.ActiveVersion || old.Spec == 0) continue;
            var desired = CanaryMachine.DelayedScaleDown(c, old, bg.ScaleDownDelay, replicas);
            if (desired != old.Spec) c.SetScale(old.Version, VersionRole.Old, desired);
        }
    }

    private static bool FastTracked(RolloutContext c) =>
        c.Prev.PromoteFull || c.Prev.ActiveVersion is null || c.Prev.ActiveVersion == c.NewVersion;

    private static bool NeedsControllerPause(BlueGreenStrategy bg) => !bg.AutoPromotionEnabled || bg.AutoPromotionDelay > TimeSpan.Zero;

    private static bool CompletedPrePromotion(RolloutContext c, BlueGreenStrategy bg) =>
        bg.PrePromotionAnalysis is null || c.Prev.Run(c.Prev.PrePromotionRun) is { Phase: AnalysisPhase.Successful } run && run.Version == c.NewVersion;

    /// <summary>Argo's CompletedBlueGreenPause.</summary>
    private static bool CompletedPause(RolloutContext c, BlueGreenStrategy bg)
    {
        if (c.HasAddPause) return false;
        if (c.Prev.ScaleUpPreviewCheckPoint) return true;
        var condition = c.Prev.Pause(PauseReason.BlueGreenPause);
        if (bg.AutoPromotionEnabled)
        {
            if (bg.AutoPromotionDelay == TimeSpan.Zero) return true;
            return condition is not null && c.Now >= condition.StartTime + bg.AutoPromotionDelay;
        }
        return c.Prev.ControllerPause && condition is null;
    }

    /// <summary>Argo's reconcileBlueGreenPause: pause before the switch when promotion is manual or delayed.</summary>
    private static void Pause(RolloutContext c, BlueGreenStrategy bg, bool readyForPause)
    {
        if (c.Prev.Abort || !readyForPause || c.HaltProgress() is not null) return;
        if (FastTracked(c) || c.Prev.ScaleUpPreviewCheckPoint || !NeedsControllerPause(bg))
        {
            c.RemovePause(PauseReason.BlueGreenPause);
            return;
        }
        if (!CompletedPrePromotion(c, bg)) return;
        var condition = c.Prev.Pause(PauseReason.BlueGreenPause);
        if (condition is not null)
        {
            if (CompletedPause(c, bg)) c.RemovePause(PauseReason.BlueGreenPause);
            else if (bg.AutoPromotionEnabled && bg.AutoPromotionDelay > TimeSpan.Zero) c.RequeueBy(condition.StartTime + bg.AutoPromotionDelay);
        }
        else if (!c.Prev.ControllerPause)
        {
            c.AddPause(PauseReason.BlueGreenPause);
            if (bg.AutoPromotionEnabled) c.RequeueBy(c.Now + bg.AutoPromotionDelay);
        }
    }

    /// <summary>Argo's reconcileActiveService, except that an abort switches back to the stable version without waiting.</summary>
    private static void ActiveSwitch(RolloutContext c, BlueGreenStrategy bg, bool readyAndSaturated)
    {
        if (c.IsAborted)
        {
            if (c.Prev.StableVersion is { } stable && c.Next.ActiveVersion != stable) c.Next = c.Next with { ActiveVersion = stable };
            return;
        }
        if (c.HaltProgress() is not null || !readyAndSaturated) return;
        var target = c.Prev.ActiveVersion;
        if (FastTracked(c)) target = c.NewVersion;
        if (CompletedPause(c, bg) && CompletedPrePromotion(c, bg)) target = c.NewVersion;
        if (target != c.Prev.ActiveVersion)
        {
            c.Next = c.Next with { ActiveVersion = target };
            if (target == c.NewVersion && c.Prev.ActiveVersion is not null)
                c.Event("SwitchService", $"Switched the active side from {Promotion.Short(c.Prev.ActiveVersion)} to {Promotion.Short(target)}");
            c.RequeueBy(c.Now);
        }
    }

    /// <summary>Argo's syncRolloutStatusBlueGreen: promote once the active side serves the new version and post-promotion analysis passed.</summary>
    private static void Sync(RolloutContext c, BlueGreenStrategy bg, Versions v)
    {
        if (c.Prev.PromoteFull)
        {
            c.ClearPause();
            c.RemoveAbort();
        }
        if (ShouldFullPromote(c, bg) is { } reason)
        {
            Promotion.PromoteStable(c, reason);
            return;
        }
        c.Next = c.Next with { ScaleUpPreviewCheckPoint = CheckPoint(c, bg, v) };
    }

    private static string? ShouldFullPromote(RolloutContext c, BlueGreenStrategy bg)
    {
        if (c.Prev.StableVersion is null) return "Initial deploy";
        if (c.Next.ActiveVersion is null) return "Initial deploy";
        if (c.Next.ActiveVersion != c.NewVersion) return null;
        if (c.Prev.PromoteFull) return "Full promotion requested";
        if (c.IsAborted) return null;
        if (bg.PostPromotionAnalysis is not null
            && !(c.Next.Run(c.Next.PostPromotionRun) is { Phase: AnalysisPhase.Successful } post && post.Version == c.NewVersion && post.Revision == c.Next.Revision))
            return null;
        return "Completed blue-green update";
    }

    /// <summary>Argo's scaleUpPreviewCheckPoint: a one-way switch, set once the preview count is up and the pause is over.</summary>
    private static bool CheckPoint(RolloutContext c, BlueGreenStrategy bg, Versions v)
    {
        if (bg.PreviewReplicaCount is not { } preview) return false;
        if (c.Prev.ScaleUpPreviewCheckPoint) return true;
        if (!CompletedPrePromotion(c, bg) || !CompletedPause(c, bg)) return false;
        return v.New.Available == preview;
    }

    private static void Pins(RolloutContext c, BlueGreenStrategy bg)
    {
        var active = c.Next.ActiveVersion ?? c.Next.StableVersion ?? c.NewVersion;
        c.Routes.Add(new RoutePin(bg.ActiveService, VersionRole.Stable, active));
        var preview = c.Next.PreviewVersion ?? c.NewVersion;
        if (bg.PreviewService is { } p) c.Routes.Add(new RoutePin(p, VersionRole.Preview, preview));
        if (bg.PreviewPort is not null) c.Routes.Add(new RoutePin(null, VersionRole.Preview, preview));
        c.Traffic = TrafficPlan.AllTo(active);
    }
}
