using GitOps.Reconciler.Rollouts.Analysis;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// The working memory of one tick (Argo's rolloutContext and pauseContext): the previous state as it was read
/// (<see cref="Prev"/>, which the rules consult, as Argo consults <c>rollout.status</c>), the next state being built,
/// pause and abort requests that are settled at the end, the target, events, and the earliest time to come back.
/// </summary>
internal sealed class RolloutContext(RolloutInput input, RolloutState prev, DateTimeOffset now)
{
    private readonly List<PauseReason> _addPause = [];
    private readonly List<PauseReason> _removePause = [];
    private bool _clearPause;
    private bool _addAbort;
    private bool _removeAbort;
    private string? _abortMessage;

    public RolloutInput Input { get; } = input;
    public RolloutSpec Spec => Input.Spec;
    public DateTimeOffset Now { get; } = now;
    public RolloutState Prev { get; } = prev;
    public RolloutState Next { get; set; } = prev;
    public List<RolloutEvent> Events { get; } = [];
    public Dictionary<string, VersionScale> Scale { get; } = new(StringComparer.Ordinal);
    public TrafficPlan Traffic { get; set; } = TrafficPlan.AllTo(prev.StableVersion);
    public List<HeaderRouteState> HeaderRoutes { get; set; } = [.. prev.HeaderRoutes];
    public List<RoutePin> Routes { get; } = [];
    public int? ReferencedWorkloadReplicas { get; set; }
    public List<RolloutAction> AnalysisActions { get; } = [];
    public DateTimeOffset? RequeueAt { get; private set; }

    /// <summary>The version being rolled out (Argo's newRS) and the stable one, as observed.</summary>
    public string NewVersion => Input.Version;

    public VersionReplicas? Observed(string? version) => Input.Observed.Of(version);

    public void RequeueBy(DateTimeOffset at)
    {
        if (RequeueAt is null || at < RequeueAt) RequeueAt = at;
    }

    // ---- pause and abort, settled by Settle() at the end of the tick (Argo's pauseContext) ----

    public bool IsAborted => !_removeAbort && (_addAbort || Prev.Abort);

    public bool HasAddPause => _addPause.Count > 0;

    public string? AbortMessage => _abortMessage ?? Prev.AbortMessage;

    public void AddAbort(string message)
    {
        if (IsAborted) return;
        _addAbort = true;
        _abortMessage = message;
    }

    public void RemoveAbort() => _removeAbort = true;

    public void AddPause(PauseReason reason)
    {
        if (!_addPause.Contains(reason)) _addPause.Add(reason);
    }

    public void RemovePause(PauseReason reason) => _removePause.Add(reason);

    public void ClearPause() => _clearPause = true;

    /// <summary>Spec paused (Git) or <c>gitops rollout pause</c>.</summary>
    public bool UserPaused => Spec.Paused || Prev.UserPaused;

    /// <summary>Argo's haltProgress: nothing moves while paused by the user or waiting on an inconclusive analysis.</summary>
    public string? HaltProgress() =>
        UserPaused ? "user paused" : Prev.Pause(PauseReason.InconclusiveAnalysisRun) is not null ? "inconclusive analysis" : null;

    /// <summary>Argo's CalculatePauseStatus: an abort clears every pause; otherwise pauses are added (started now) and removed.</summary>
    public void Settle()
    {
        if (IsAborted)
        {
            Next = Next with
            {
                Abort = true,
                AbortedAt = Prev.AbortedAt ?? Now,
                AbortMessage = _abortMessage ?? Prev.AbortMessage,
                PauseConditions = [],
                ControllerPause = false,
                PromoteFull = false,
            };
            if (!Next.BadRevisions.Any(b => b.Version == Next.CurrentVersion)) MarkBad();
            return;
        }
        Next = Next with { Abort = false, AbortedAt = null, AbortMessage = null };
        if (_clearPause)
        {
            Next = Next with { PauseConditions = [], ControllerPause = false };
            return;
        }
        var controllerPause = Prev.ControllerPause;
        var conditions = Prev.PauseConditions.Where(c => !_removePause.Contains(c.Reason)).ToList();
        foreach (var reason in _addPause)
        {
            if (Prev.PauseConditions.Any(c => c.Reason == reason)) continue;
            conditions.Add(new PauseCondition(reason, Now));
            controllerPause = true;
        }
        Next = conditions.Count == 0
            ? Next with { PauseConditions = [], ControllerPause = false }
            : Next with { PauseConditions = conditions, ControllerPause = controllerPause };
    }

    /// <summary>An aborted revision is kept out until the service's spec changes or the user retries.</summary>
    private void MarkBad()
    {
        if (Next.CurrentVersion is null || Next.CurrentVersion == Next.StableVersion) return;
        var marks = Next.BadRevisions.Where(b => b.Version != Next.CurrentVersion).ToList();
        marks.Add(new BadRevision(Next.CurrentVersion, Input.SpecDigest, Next.Revision, Next.AbortMessage ?? "aborted by the user", Now));
        // A long history of bad versions is of no use: the newest few are what a user retries.
        if (marks.Count > 10) marks.RemoveRange(0, marks.Count - 10);
        Next = Next with { BadRevisions = marks };
    }

    public void SetScale(string version, VersionRole role, int replicas) => Scale[version] = new VersionScale(version, role, Math.Max(0, replicas));

    public void Event(string reason, string message, bool warning = false) => Events.Add(new RolloutEvent(reason, message, warning));
}
