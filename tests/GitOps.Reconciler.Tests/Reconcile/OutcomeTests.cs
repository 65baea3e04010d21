using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Reconcile.Outcomes;
using GitOps.Reconciler.Sources;

namespace GitOps.Reconciler.Tests.Reconcile;

/// <summary>The back-off arithmetic, which failures are stalled or transient, and the status fields each outcome sets.</summary>
public sealed class OutcomeTests
{
    static readonly Backoff Backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), 0.1);
    static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(9, 256000)]
    [InlineData(10, 300000)] // 512 s, capped at 5 min
    [InlineData(1000, 300000)] // no overflow however long the outage
    public void Without_jitter_each_delay_doubles_up_to_the_cap(int attempt, double millis) =>
        Assert.Equal(millis, Backoff.Delay(attempt, random: 0).TotalMilliseconds, precision: 3);

    [Fact]
    public void Jitter_only_shortens_by_at_most_its_share()
    {
        Assert.Equal(3600, Backoff.Delay(3, random: 1).TotalMilliseconds, precision: 3); // 4 s less 10 %
        Assert.Equal(3800, Backoff.Delay(3, random: 0.5).TotalMilliseconds, precision: 3);
        Assert.Equal(270000, Backoff.Delay(50, random: 1).TotalMilliseconds, precision: 3); // the cap less 10 %, never above it
    }

    [Fact]
    public void Delays_grow_strictly_until_the_cap_whatever_the_jitter()
    {
        // The worst case for growth: the earlier delay without jitter, the later one with all of it.
        for (var attempt = 1; attempt < 9; attempt++)
            Assert.True(Backoff.Delay(attempt + 1, random: 1) > Backoff.Delay(attempt, random: 0), $"attempt {attempt + 1} after {attempt}");
    }

    [Fact]
    public void An_attempt_below_one_is_a_caller_bug() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Delay(0, 0));

    [Theory]
    [InlineData("Network", "Transient")]
    [InlineData("NotFound", "Stalled")]
    [InlineData("Auth", "Stalled")]
    [InlineData("BadRef", "Stalled")]
    public void Source_failures_are_transient_only_when_the_source_says_so(string kind, string expected) =>
        Assert.Equal(Enum.Parse<ReconcileOutcome>(expected),
            OutcomeClassifier.OfLoadFailure(new SourceException(Enum.Parse<SourceErrorKind>(kind), "https://git.example/app.git", "branch main", "boom")));

    [Fact]
    public void A_disk_problem_is_transient_and_a_revision_that_cannot_compile_is_stalled()
    {
        Assert.Equal(ReconcileOutcome.Transient, OutcomeClassifier.OfLoadFailure(new IOException("No space left on device")));
        Assert.Equal(ReconcileOutcome.Stalled, OutcomeClassifier.OfLoadFailure(new PathEscapeException("bind source of web: ../x: outside the tree")));
        Assert.Equal(ReconcileOutcome.Stalled, OutcomeClassifier.OfLoadFailure(new InvalidOperationException("policy: no policy named 'x'")));
    }

    [Fact]
    public void A_rollout_that_failed_on_its_own_merits_is_stalled_anything_else_in_an_apply_is_transient()
    {
        Assert.Equal(ReconcileOutcome.Stalled, OutcomeClassifier.OfApplyFailure(new ApplyException("service web", "replica p-web-1 exited (1)") { Stalled = true }));
        Assert.Equal(ReconcileOutcome.Transient, OutcomeClassifier.OfApplyFailure(new ApplyException("service web", "pull registry.local/web:2: connection refused")));
    }

    [Fact]
    public void Health_on_its_way_is_waiting_anything_else_applied()
    {
        Assert.Equal(ReconcileOutcome.Waiting, OutcomeClassifier.OfHealth(HealthState.Progressing));
        Assert.Equal(ReconcileOutcome.Applied, OutcomeClassifier.OfHealth(HealthState.Healthy));
        Assert.Equal(ReconcileOutcome.Applied, OutcomeClassifier.OfHealth(HealthState.Degraded)); // reported, not waited on
    }

    [Fact]
    public void Consecutive_transient_failures_count_up_and_push_the_next_attempt_out()
    {
        var s = new AppStatus { Name = "web" };
        var delays = new List<TimeSpan>();
        for (var i = 1; i <= 4; i++)
        {
            s = OutcomeTracker.Record(s, ReconcileOutcome.Transient, Now, Backoff, random: 0);
            Assert.Equal(i, s.Attempts);
            delays.Add(s.NextAttempt!.Value - Now);
        }
        Assert.Equal([1, 2, 4, 8], delays.Select(d => d.TotalSeconds));
    }

    [Theory]
    [InlineData("Applied")]
    [InlineData("Stalled")]
    public void Recovery_or_a_stall_clears_the_back_off(string name)
    {
        var outcome = Enum.Parse<ReconcileOutcome>(name);
        var failing = OutcomeTracker.Record(OutcomeTracker.Record(new AppStatus { Name = "web" }, ReconcileOutcome.Transient, Now, Backoff, 0), ReconcileOutcome.Transient, Now, Backoff, 0);
        var after = OutcomeTracker.Record(failing, outcome, Now, Backoff, 0);
        Assert.Equal((outcome, (int?)null, (DateTimeOffset?)null), (after.Outcome!.Value, after.Attempts, after.NextAttempt));
        // A transient failure after that starts the back-off again from its first step.
        Assert.Equal(1, OutcomeTracker.Record(after, ReconcileOutcome.Transient, Now, Backoff, 0).Attempts);
    }

    [Fact]
    public void Waiting_is_requeued_shortly_without_growing()
    {
        var s = OutcomeTracker.Record(new AppStatus { Name = "web" }, ReconcileOutcome.Waiting, Now, Backoff, 0);
        s = OutcomeTracker.Record(s, ReconcileOutcome.Waiting, Now, Backoff, 0);
        Assert.Equal(Now + OutcomeTracker.WaitingRequeue, s.NextAttempt);
        Assert.Null(s.Attempts);
    }

    [Fact]
    public void States_keep_their_wire_strings()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new AppStatus
        {
            Name = "web", Sync = SyncState.OutOfSync, Health = HealthState.Progressing, Outcome = ReconcileOutcome.Transient, Attempts = 2, NextAttempt = Now,
        }, AppJson.Default.AppStatus);
        Assert.Contains("\"sync\": \"OutOfSync\"", json, StringComparison.Ordinal);
        Assert.Contains("\"health\": \"Progressing\"", json, StringComparison.Ordinal);
        Assert.Contains("\"outcome\": \"Transient\"", json, StringComparison.Ordinal);
        // A status written by an earlier daemon (strings) reads back into the enums.
        var old = System.Text.Json.JsonSerializer.Deserialize("{\"name\":\"web\",\"sync\":\"Failed\",\"health\":\"Degraded\"}", AppJson.Default.AppStatus)!;
        Assert.Equal((SyncState.Failed, HealthState.Degraded, (ReconcileOutcome?)null), (old.Sync, old.Health, old.Outcome));
    }
}
