using System.Text.Json.Serialization;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile.Outcomes;

namespace GitOps.Reconciler.Reconcile;

/// <summary>What <c>gitops status</c> shows for one application; persisted so a restarted daemon still knows it.</summary>
internal sealed record AppStatus
{
    public required string Name { get; init; }
    public string Source { get; init; } = "";
    /// <summary>The revision whose desired state is applied (the last good one).</summary>
    public string? Revision { get; init; }
    public string? Subject { get; init; }
    /// <summary>The newest revision seen in the source (may be rejected, or not applied because of a rollback pin).</summary>
    public string? LatestRevision { get; init; }
    public SyncState Sync { get; init; } = SyncState.Unknown;
    public HealthState Health { get; init; } = HealthState.Unknown;
    /// <summary>Why the application is Degraded: a failed Job, a one-off that exited non-zero, missing or stopped replicas.</summary>
    public string? HealthReason { get; init; }
    public int DriftCount { get; init; }
    public string? Message { get; init; }
    /// <summary>Why the latest revision was rejected: <c>file:line:col: message</c> lines.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
    /// <summary>
    /// A revision whose rollout failed on its own merits (a new replica exited, turned unhealthy or never became
    /// ready). Polls, webhooks and self-heal leave it alone; a new commit or <c>gitops sync</c> tries again.
    /// </summary>
    public string? FailedRevision { get; init; }
    public string? PinnedRevision { get; init; }
    /// <summary>The source's head when the pin was made: a different head means a newer commit arrived and ends the pin.</summary>
    public string? PinnedAtHead { get; init; }
    public DateTimeOffset? LastSync { get; init; }
    public DateTimeOffset? LastAttempt { get; init; }
    public double? LastDurationMs { get; init; }
    public double? LastEngineMs { get; init; }
    /// <summary>How the last reconcile ended; null before the first.</summary>
    public ReconcileOutcome? Outcome { get; init; }
    /// <summary>Transient failures in a row (the back-off's exponent); null unless <see cref="Outcome"/> is Transient.</summary>
    public int? Attempts { get; init; }
    /// <summary>When the application is tried again without waiting for a poll (a transient failure's back-off, a wait on health).</summary>
    public DateTimeOffset? NextAttempt { get; init; }
}

/// <summary>One applied revision, newest first in <c>gitops history</c>.</summary>
internal sealed record HistoryEntry(int Id, string Revision, string? Subject, DateTimeOffset AppliedAt, string Result, int Steps, string Trigger);

/// <summary>One difference between what was applied and what runs, with when it was first seen.</summary>
internal sealed record DriftItem(string Kind, string Resource, string Expected, string Found, DateTimeOffset Since);

internal sealed record DriftReport(string App, string? Revision, DateTimeOffset CheckedAt, string Mode, IReadOnlyList<DriftItem> Items);

/// <summary>The registry entry of an application: its spec plus where it came from (config file or CLI).</summary>
internal sealed record AppRecord(AppSpec Spec, string Origin);

/// <summary><c>gitops diff</c>'s answer: the ordered plan, warnings, what data removals would destroy, the unified diff, or why the revision is rejected.</summary>
internal sealed record DiffResponse(string Revision, IReadOnlyList<string> Plan, IReadOnlyList<string> Warnings, IReadOnlyList<string> DataLoss, string Diff, IReadOnlyList<string> Errors);

/// <summary>One application in <c>gitops app ls</c>: its spec, status and where it was declared.</summary>
internal sealed record AppView(AppSpec Spec, AppStatus Status, string Origin)
{
    /// <summary>The policy the application's revisions are judged by, resolved (preset, named or inline).</summary>
    public Policy.SecurityPolicy? Policy { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AppStatus))]
[JsonSerializable(typeof(List<AppStatus>))]
[JsonSerializable(typeof(List<HistoryEntry>))]
[JsonSerializable(typeof(DriftReport))]
[JsonSerializable(typeof(List<DriftReport>))]
[JsonSerializable(typeof(AppRecord))]
[JsonSerializable(typeof(List<AppRecord>))]
[JsonSerializable(typeof(List<System.Text.Json.JsonElement>))]
[JsonSerializable(typeof(AppSpec))]
[JsonSerializable(typeof(DiffResponse))]
[JsonSerializable(typeof(AppView))]
[JsonSerializable(typeof(List<AppView>))]
internal sealed partial class AppJson : JsonSerializerContext;
