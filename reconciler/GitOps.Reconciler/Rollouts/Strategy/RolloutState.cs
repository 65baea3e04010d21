using GitOps.Reconciler.Rollouts.Analysis;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// Everything a rollout remembers between ticks (Argo Rollouts' <c>Rollout.status</c>), as an immutable record the
/// caller persists with System.Text.Json (<see cref="RolloutJson"/>): a daemon killed at any point resumes at the same
/// step, with the same pause deadline (pause conditions carry their start time) and the same analysis runs.
/// Versions are pod template hashes (<see cref="Hashing.SpecHash.OfTemplate"/>).
/// </summary>
internal sealed record RolloutState
{
    public required string Service { get; init; }

    /// <summary>The version serving production (Argo's stableRS); null before the first rollout completed.</summary>
    public string? StableVersion { get; init; }

    /// <summary>The version being rolled out (Argo's currentPodHash).</summary>
    public string? CurrentVersion { get; init; }

    /// <summary>Argo's revision number of <see cref="CurrentVersion"/>: 1 for the first version, one more for each new one.</summary>
    public int Revision { get; init; }

    /// <summary>The commit that brought <see cref="CurrentVersion"/>, for messages.</summary>
    public string? Commit { get; init; }

    /// <summary>The digest of the service's whole spec at the last tick: an abort marks the version bad for this digest.</summary>
    public string? SpecDigest { get; init; }

    /// <summary>Retries of the current revision (<c>gitops rollout retry</c>); part of analysis run names so a retry starts fresh runs.</summary>
    public int Attempt { get; init; }

    public string? StepsHash { get; init; }
    public int? StepIndex { get; init; }

    /// <summary>Argo's controllerPause: the rollout paused itself; a promote that clears the pause conditions leaves it set until the next tick.</summary>
    public bool ControllerPause { get; init; }
    public IReadOnlyList<PauseCondition> PauseConditions { get; init; } = [];

    /// <summary><c>gitops rollout pause</c> (Argo's spec.paused set by the CLI); the manifest's <c>paused</c> is in the spec.</summary>
    public bool UserPaused { get; init; }

    public bool Abort { get; init; }
    public DateTimeOffset? AbortedAt { get; init; }
    public string? AbortMessage { get; init; }
    public bool PromoteFull { get; init; }
    public IReadOnlyList<BadRevision> BadRevisions { get; init; } = [];

    /// <summary>The canary weight last set on a router (percent).</summary>
    public int? CanaryWeight { get; init; }
    public IReadOnlyList<HeaderRouteState> HeaderRoutes { get; init; } = [];

    /// <summary>Blue-green: the version the active side serves, and the one the preview shows.</summary>
    public string? ActiveVersion { get; init; }
    public string? PreviewVersion { get; init; }
    public bool ScaleUpPreviewCheckPoint { get; init; }

    public IReadOnlyList<ScaleDownDeadline> ScaleDownDeadlines { get; init; } = [];

    /// <summary>The routes pinned to one version at the last tick (to tell what changed).</summary>
    public IReadOnlyList<RoutePin> Routes { get; init; } = [];

    /// <summary>Runs of this rollout, newest last: the current ones (named below) and a short history.</summary>
    public IReadOnlyList<AnalysisRun> AnalysisRuns { get; init; } = [];
    public string? BackgroundRun { get; init; }
    public string? StepRun { get; init; }
    public string? PrePromotionRun { get; init; }
    public string? PostPromotionRun { get; init; }

    public ProgressMark? Progress { get; init; }

    /// <summary>With workloadRef scaleDown: the referenced Deployment has been scaled to zero for good.</summary>
    public bool WorkloadScaledDown { get; init; }

    public RolloutPhase Phase { get; init; } = RolloutPhase.Progressing;
    public string? Message { get; init; }

    public AnalysisRun? Run(string? name) => name is null ? null : AnalysisRuns.LastOrDefault(r => r.Name == name);

    public RolloutState WithRun(AnalysisRun run)
    {
        var runs = AnalysisRuns.ToList();
        var i = runs.FindIndex(r => r.Name == run.Name);
        if (i >= 0) runs[i] = run;
        else runs.Add(run);
        return this with { AnalysisRuns = runs };
    }

    public PauseCondition? Pause(PauseReason reason) => PauseConditions.FirstOrDefault(p => p.Reason == reason);

    public bool FullyPromoted => StableVersion is not null && StableVersion == CurrentVersion;
}
