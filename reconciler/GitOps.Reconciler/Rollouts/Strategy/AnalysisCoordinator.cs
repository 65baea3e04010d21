using System.Globalization;
using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// Which analysis runs a rollout has and what their outcome does (Argo's rollout/analysis.go): runs are created when
/// their moment comes (a background run once the canary starts, a step run at its step, pre-promotion once the preview
/// is fully up, post-promotion after the switch), terminated when they no longer matter, and an inconclusive run pauses
/// the rollout while a failed or errored one aborts it with the run's message.
/// </summary>
internal static class AnalysisCoordinator
{
    /// <summary>Completed runs kept for <c>gitops rollout status</c> beyond the current ones.</summary>
    private const int History = 10;

    public static void Canary(RolloutContext c)
    {
        var canary = c.Spec.Canary!;
        var prev = c.Prev;
        if (prev.FullyPromoted || c.IsAborted || prev.PromoteFull || prev.StableVersion is null)
        {
            Terminate(c, prev.BackgroundRun);
            Terminate(c, prev.StepRun);
            c.Next = c.Next with { BackgroundRun = null, StepRun = null };
            return;
        }

        // The step's run.
        var stepRun = prev.Run(prev.StepRun);
        if (prev.PauseConditions.Count == 0 && !prev.Abort)
        {
            var index = prev.StepIndex ?? 0;
            var step = CanarySteps.Current(canary, prev.StepIndex);
            var fromPreviousStep = stepRun is not null && stepRun.StepIndex != index;
            if (step is not { Kind: CanaryStepKind.Analysis, Analysis: { } analysis } || fromPreviousStep)
            {
                Terminate(c, prev.StepRun);
                c.Next = c.Next with { StepRun = null };
            }
            else if (NeedsNew(c, stepRun, AnalysisRunKind.Step, index))
            {
                var run = Create(c, analysis, AnalysisRunKind.Step, index);
                c.Next = c.Next.WithRun(run) with { StepRun = run.Name };
            }
            else React(c, stepRun!);
        }

        // The background run.
        var background = prev.Run(prev.BackgroundRun);
        if (canary.Analysis is not { } bg)
        {
            Terminate(c, prev.BackgroundRun);
            c.Next = c.Next with { BackgroundRun = null };
        }
        else if (bg.StartingStep is { } start && (prev.StepIndex ?? 0) < start && CanarySteps.Current(canary, prev.StepIndex) is not null)
        {
            Terminate(c, prev.BackgroundRun);
            c.Next = c.Next with { BackgroundRun = null };
        }
        else if (prev.Pause(PauseReason.InconclusiveAnalysisRun) is null)
        {
            if (NeedsNew(c, background, AnalysisRunKind.Background, null))
            {
                var run = Create(c, bg, AnalysisRunKind.Background, null);
                c.Next = c.Next.WithRun(run) with { BackgroundRun = run.Name };
            }
            else React(c, background!);
        }
    }

    public static void BlueGreen(RolloutContext c, bool newSaturated)
    {
        var bg = c.Spec.BlueGreen!;
        var prev = c.Prev;
        if (prev.FullyPromoted || c.IsAborted || prev.PromoteFull || prev.StableVersion is null)
        {
            Terminate(c, prev.PrePromotionRun);
            Terminate(c, prev.PostPromotionRun);
            return;
        }
        Promotion(c, bg.PrePromotionAnalysis, AnalysisRunKind.PrePromotion, prev.PrePromotionRun,
            skip: prev.StableVersion == c.NewVersion || prev.ActiveVersion is null || prev.ActiveVersion == c.NewVersion, newSaturated);
        Promotion(c, bg.PostPromotionAnalysis, AnalysisRunKind.PostPromotion, prev.PostPromotionRun,
            skip: prev.StableVersion == c.NewVersion || prev.ActiveVersion != c.NewVersion, newSaturated);
    }

    private static void Promotion(RolloutContext c, RolloutAnalysis? analysis, AnalysisRunKind kind, string? currentName, bool skip, bool saturated)
    {
        var current = c.Prev.Run(currentName);
        if (current is not null && current.Version != c.NewVersion) current = null;
        void SetName(string? name) => c.Next = kind == AnalysisRunKind.PrePromotion ? c.Next with { PrePromotionRun = name } : c.Next with { PostPromotionRun = name };
        if (analysis is null)
        {
            Terminate(c, currentName);
            SetName(null);
            return;
        }
        // Once started, a run is not cut short because a replica came and went; before, it waits for a full preview.
        if (skip || (current is null && !saturated))
        {
            Terminate(c, current?.Name);
            return;
        }
        if (c.Prev.Pause(PauseReason.InconclusiveAnalysisRun) is not null) return;
        if (NeedsNew(c, current, kind, null))
        {
            var run = Create(c, analysis, kind, null);
            c.Next = c.Next.WithRun(run);
            SetName(run.Name);
            return;
        }
        React(c, current!);
    }

    /// <summary>Argo's needsNewAnalysisRun, plus: a run of another version, revision or attempt is not this rollout's.</summary>
    private static bool NeedsNew(RolloutContext c, AnalysisRun? current, AnalysisRunKind kind, int? step)
    {
        if (current is null || current.Kind != kind || current.StepIndex != step || current.Version != c.NewVersion
            || current.Revision != c.Next.Revision || current.Attempt != c.Next.Attempt) return true;
        // The user promoted past an inconclusive run: measure again.
        if (c.Prev.ControllerPause && c.Prev.Pause(PauseReason.CanaryPauseStep) is null && c.Prev.Pause(PauseReason.BlueGreenPause) is null)
            return current.Phase == AnalysisPhase.Inconclusive;
        return false;
    }

    private static void React(RolloutContext c, AnalysisRun run)
    {
        switch (run.Phase)
        {
            case AnalysisPhase.Inconclusive:
                c.AddPause(PauseReason.InconclusiveAnalysisRun);
                break;
            case AnalysisPhase.Failed or AnalysisPhase.Error:
                c.AddAbort(run.Message is { Length: > 0 } m ? m : $"AnalysisRun '{run.Name}' {run.Phase.ToString().ToLowerInvariant()}");
                break;
        }
    }

    /// <summary>A new run: arguments resolved from the templates now; a spec that cannot be resolved is a run in Error (it aborts).</summary>
    public static AnalysisRun Create(RolloutContext c, RolloutAnalysis analysis, AnalysisRunKind kind, int? step)
    {
        var name = BaseName(c, kind, step);
        // A run measured again (after an inconclusive one) gets ".2", ".3": names stay unique within the rollout.
        var taken = c.Next.AnalysisRuns.Count(r => r.Name == name || r.Name.StartsWith(name + ".", StringComparison.Ordinal));
        if (taken > 0) name += "." + (taken + 1).ToString(CultureInfo.InvariantCulture);
        var errors = new List<string>();
        var resolved = AnalysisTemplateResolver.Resolve(analysis, c.Input.Templates, c.NewVersion, c.Prev.StableVersion, errors);
        var run = new AnalysisRun
        {
            Name = name, Kind = kind, StepIndex = step, Version = c.NewVersion, Revision = c.Next.Revision, Attempt = c.Next.Attempt, Args = resolved?.Args ?? [],
        };
        if (resolved is null)
            run = run with { Phase = AnalysisPhase.Error, Message = "Analysis spec invalid: " + string.Join("; ", errors), StartedAt = c.Now, CompletedAt = c.Now };
        c.AnalysisActions.Add(new StartAnalysis(run.Name, kind));
        c.Event("AnalysisRunCreated", $"Created {Describe(kind, step)} AnalysisRun '{run.Name}'");
        c.RequeueBy(c.Now);
        return run;
    }

    /// <summary>Argo's cancelAnalysisRuns: an unfinished run is told to terminate (its running metrics then count as passed).</summary>
    public static void Terminate(RolloutContext c, string? name)
    {
        if (c.Next.Run(name) is not { } run || run.Phase.Completed() || run.Terminate) return;
        c.Next = c.Next.WithRun(run with { Terminate = true });
        c.AnalysisActions.Add(new StopAnalysis(run.Name));
        c.RequeueBy(c.Now);
    }

    /// <summary>Terminates unfinished runs that are no longer current and trims the history.</summary>
    public static void Sweep(RolloutContext c)
    {
        var current = new HashSet<string?>([c.Next.BackgroundRun, c.Next.StepRun, c.Next.PrePromotionRun, c.Next.PostPromotionRun], StringComparer.Ordinal);
        foreach (var run in c.Next.AnalysisRuns.ToList())
            if (!current.Contains(run.Name)) Terminate(c, run.Name);
        var runs = c.Next.AnalysisRuns.ToList();
        var removable = runs.Where(r => !current.Contains(r.Name) && (r.Phase.Completed() || r.Terminate)).ToList();
        var excess = removable.Count - History;
        if (excess > 0)
        {
            foreach (var r in removable.Take(excess)) runs.Remove(r);
            c.Next = c.Next with { AnalysisRuns = runs };
        }
    }

    private static string BaseName(RolloutContext c, AnalysisRunKind kind, int? step)
    {
        var version = c.NewVersion.StartsWith("sha256:", StringComparison.Ordinal) ? c.NewVersion[7..] : c.NewVersion;
        var name = $"{c.Input.Service}-{version[..Math.Min(10, version.Length)]}-{c.Next.Revision.ToString(CultureInfo.InvariantCulture)}";
        if (c.Next.Attempt > 0) name += "-a" + c.Next.Attempt.ToString(CultureInfo.InvariantCulture);
        name += kind switch
        {
            AnalysisRunKind.Background => "",
            AnalysisRunKind.Step => "-" + step?.ToString(CultureInfo.InvariantCulture),
            AnalysisRunKind.PrePromotion => "-pre",
            _ => "-post",
        };
        return name;
    }

    private static string Describe(AnalysisRunKind kind, int? step) => kind switch
    {
        AnalysisRunKind.Background => "background",
        AnalysisRunKind.Step => $"step {step?.ToString(CultureInfo.InvariantCulture)}",
        AnalysisRunKind.PrePromotion => "pre-promotion",
        _ => "post-promotion",
    };
}
