using GitOps.Reconciler.Reconcile.Jobs;

namespace GitOps.Reconciler.Tests.Jobs;

/// <summary>Job and CronJob status survives the daemon: what is saved is what is read back, and an unreadable file is not fatal.</summary>
public sealed class JobStoreTests
{
    [Fact]
    public void Every_field_is_read_back_as_it_was_saved()
    {
        var path = Path.Combine(Load.TempDir(), "jobs.json");
        var t = new DateTimeOffset(2024, 3, 8, 10, 0, 0, TimeSpan.Zero);
        var run = new JobRecord
        {
            Name = "backup-28401120", Service = "backup", Hash = "sha256:abc", Revision = "r1", Created = t, ScheduledTime = t, StartTime = t.AddSeconds(1),
            FinishedTime = t.AddSeconds(9), Phase = JobPhase.Failed, Reason = "BackoffLimitExceeded", Message = "Job has reached the specified backoff limit",
            Active = 0, Succeeded = 2, Failed = 3, NextOrdinal = 6, Counted = ["p-1", "p-2"], CompletedIndexes = [0, 2],
            Restarts = new Dictionary<string, PodRestarts> { ["p-3"] = new(2, t.AddSeconds(5)) }, FailuresSinceSuccess = 1, LastFailure = t.AddSeconds(8), PodsRemoved = true,
        };
        var cron = new CronRecord { Service = "backup", Created = t, LastScheduleTime = t, LastSuccessfulTime = t.AddMinutes(-1), Message = "m" };
        var store = new JobStore(path);
        store.Put(run);
        store.Put(cron);
        Assert.True(store.Dirty);
        store.Save();
        Assert.False(store.Dirty);

        var again = new JobStore(path);
        var read = again.Job(run.Name)!;
        // Records compare their lists by reference: the scalar fields are compared with the lists set aside, the lists by content.
        string[] names = [];
        int[] indexes = [];
        var restarts = new Dictionary<string, PodRestarts>();
        Assert.Equal(run with { Counted = names, CompletedIndexes = indexes, Restarts = restarts }, read with { Counted = names, CompletedIndexes = indexes, Restarts = restarts });
        Assert.Equal(run.Counted, read.Counted);
        Assert.Equal(run.CompletedIndexes, read.CompletedIndexes);
        Assert.Equal(run.Restarts["p-3"], read.Restarts["p-3"]);
        Assert.Equal(cron, again.Cron("backup"));
        Assert.Equal([run.Name], again.JobsOf("backup").Select(j => j.Name));

        // Putting an equal record (lists compared by content) changes nothing to save.
        again.Put(read with { Counted = [.. read.Counted] });
        Assert.False(again.Dirty);
    }

    [Fact]
    public void An_unreadable_file_is_reported_and_ignored()
    {
        var path = Path.Combine(Load.TempDir(), "jobs.json");
        File.WriteAllText(path, "{ not json");
        string? said = null;
        var store = new JobStore(path, m => said = m);
        Assert.Empty(store.Jobs);
        Assert.Contains("ignoring unreadable", said);
    }
}
