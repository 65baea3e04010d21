using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Configuration;

namespace GitOps.Reconciler.Tests.Config;

public sealed class AppSpecChecksTests
{
    static AppSpec Good() => new("web", new AppSource(SourceKind.Git, "/srv/git/web", "main", null, null, null), ["."], AppSchedule.Default, AppPolicy.Default, null);

    [Fact]
    public void A_sound_spec_passes() => Assert.Empty(AppSpecChecks.Problems(Good()));

    [Fact]
    public void A_partial_spec_names_every_missing_part()
    {
        // What a JSON body with only a name and a source deserializes to.
        var partial = Good() with { Paths = null!, Schedule = null!, Policy = null! };
        var problems = AppSpecChecks.Problems(partial);
        Assert.Contains(problems, p => p.StartsWith("paths:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("schedule:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("policy:", StringComparison.Ordinal));
        Assert.Contains("source: missing", AppSpecChecks.Problems(Good() with { Source = null! })[0]);
    }

    [Fact]
    public void Values_the_config_file_would_refuse_are_refused()
    {
        var bad = Good() with
        {
            Name = "Bad Name",
            Source = new AppSource(SourceKind.Git, "/srv/git/web", "a..b", "v1", null, null),
            Paths = ["/etc", "../up", ""],
            Schedule = new AppSchedule(TimeSpan.FromMilliseconds(1), 7, null),
            Project = "UPPER",
        };
        var problems = string.Join("\n", AppSpecChecks.Problems(bad));
        foreach (var expected in new[] { "name:", "at most one of branch, tag and revision", "source.branch", "paths[0]", "paths[1]", "paths[2]", "schedule.interval", "schedule.jitter", "project:" })
            Assert.Contains(expected, problems);
        Assert.Contains("… (100000 characters)", AppSpecChecks.Problems(Good() with { Name = new string('a', 100_000) })[0]);
    }
}
