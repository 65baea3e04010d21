using GitOps.Reconciler.Reconcile.Jobs;

namespace GitOps.Reconciler.Tests.Jobs;

/// <summary>Kubernetes' cron dialect (robfig/cron's standard parser) read into Quartz expressions, and the times they give.</summary>
public sealed class CronScheduleTests
{
    static CronSchedule Parse(string text, string? zone = null)
    {
        var s = CronSchedule.TryParse(text, zone, out var error, TimeZoneInfo.Utc);
        Assert.True(s is not null, error);
        return s!;
    }

    static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("*/15 * * * *", "2024-03-08T10:07:00Z", "2024-03-08T10:15:00Z")]
    [InlineData("0 9 * * 1-5", "2024-03-08T10:00:00Z", "2024-03-11T09:00:00Z")] // Friday after nine → Monday
    [InlineData("0 0 * * 0", "2024-03-08T10:00:00Z", "2024-03-10T00:00:00Z")] // Sunday is 0
    [InlineData("0 0 * * SUN", "2024-03-08T10:00:00Z", "2024-03-10T00:00:00Z")]
    [InlineData("30 12 * jan,JUL mon-fri", "2024-02-01T00:00:00Z", "2024-07-01T12:30:00Z")]
    [InlineData("5/20 * * * *", "2024-03-08T10:06:00Z", "2024-03-08T10:25:00Z")] // N/step is N-max/step
    [InlineData("0 0 ? * 6", "2024-03-08T10:00:00Z", "2024-03-09T00:00:00Z")]
    [InlineData("@hourly", "2024-03-08T10:07:00Z", "2024-03-08T11:00:00Z")]
    [InlineData("@daily", "2024-03-08T10:07:00Z", "2024-03-09T00:00:00Z")]
    [InlineData("@midnight", "2024-03-08T10:07:00Z", "2024-03-09T00:00:00Z")]
    [InlineData("@weekly", "2024-03-08T10:07:00Z", "2024-03-10T00:00:00Z")]
    [InlineData("@monthly", "2024-03-08T10:07:00Z", "2024-04-01T00:00:00Z")]
    [InlineData("@yearly", "2024-03-08T10:07:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("@annually", "2024-03-08T10:07:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("@every 90m", "2024-03-08T10:07:30.5Z", "2024-03-08T11:37:30Z")]
    public void Next_time(string schedule, string after, string expected) =>
        Assert.Equal(At(expected), Parse(schedule).Next(At(after)));

    [Fact]
    public void Day_of_month_and_day_of_week_both_restricted_means_either_as_in_cron()
    {
        // 1st and 15th of the month, and every Monday: two Quartz expressions, the earlier time wins.
        var s = Parse("0 0 1,15 * 1");
        Assert.Equal(["0 0 0 1,15 * ?", "0 0 0 ? * 2"], s.QuartzExpressions);
        Assert.Equal(At("2024-01-08T00:00:00Z"), s.Next(At("2024-01-02T00:00:00Z"))); // a Monday
        Assert.Equal(At("2024-01-15T00:00:00Z"), s.Next(At("2024-01-08T00:00:00Z")));
        Assert.Equal(At("2024-02-01T00:00:00Z"), s.Next(At("2024-01-29T00:00:00Z"))); // a Thursday, the 1st
    }

    [Fact]
    public void A_star_day_field_defers_to_the_other_and_quartz_gets_its_question_mark()
    {
        Assert.Equal(["0 0 9 ? * 2,3,4,5,6"], Parse("0 9 * * 1-5").QuartzExpressions);
        Assert.Equal(["0 0 9 1 * ?"], Parse("0 9 1 * *").QuartzExpressions);
        Assert.Equal(["0 * * * * ?"], Parse("* * * * *").QuartzExpressions);
        // A stepped star restricts (robfig clears its star bit): both day fields restricted → either.
        Assert.Equal(2, Parse("0 0 */2 * 1").QuartzExpressions.Count);
    }

    [Fact]
    public void Time_zone_field_and_tz_prefix()
    {
        // 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
        var berlin = Parse("0 9 * * *", "Europe/Berlin");
        Assert.Equal(At("2024-01-10T08:00:00Z"), berlin.Next(At("2024-01-10T00:00:00Z")));
        Assert.Equal(At("2024-07-10T07:00:00Z"), berlin.Next(At("2024-07-10T00:00:00Z")));
        var prefixed = Parse("CRON_TZ=America/New_York 0 0 * * *");
        Assert.Equal(At("2024-01-10T05:00:00Z"), prefixed.Next(At("2024-01-10T00:00:00Z")));
    }

    [Theory]
    [InlineData("* * * *", null, "expected exactly 5 fields")]
    [InlineData("* * * * * *", null, "expected exactly 5 fields")]
    [InlineData("60 * * * *", null, "end of range (60) above maximum (59) in minute field")]
    [InlineData("0 0 * * 7", null, "end of range (7) above maximum (6) in day of week field")]
    [InlineData("0 0 0 * *", null, "beginning of range (0) below minimum (1) in day of month field")]
    [InlineData("*/0 * * * *", null, "step of range should be a positive number")]
    [InlineData("5-1 * * * *", null, "beginning of range (5) beyond end of range (1)")]
    [InlineData("x * * * *", null, "failed to parse int from \"x\" in minute field")]
    [InlineData("@fortnightly", null, "unrecognized descriptor")]
    [InlineData("@every soon", null, "failed to parse duration")]
    [InlineData("0 0 * * *", "Mars/Olympus_Mons", "unknown time zone \"Mars/Olympus_Mons\"")]
    [InlineData("0 0 * * *", "Local", "unknown time zone \"Local\"")]
    [InlineData("TZ=UTC 0 0 * * *", "UTC", "cannot use both the timeZone field and TZ or CRON_TZ")]
    public void Bad_schedules_say_what_is_wrong(string schedule, string? zone, string message)
    {
        Assert.Null(CronSchedule.TryParse(schedule, zone, out var error, TimeZoneInfo.Utc));
        Assert.Contains(message, error);
    }

    [Fact]
    public void Most_recent_time_is_found_like_kube_controller_manager_and_too_many_misses_are_counted()
    {
        var minutely = Parse("* * * * *");
        Assert.Equal((At("2024-03-08T10:05:00Z"), 5L), CronController.MostRecent(minutely, At("2024-03-08T10:00:30Z"), At("2024-03-08T10:05:10Z")));
        Assert.Equal(((DateTimeOffset?)null, 0L), CronController.MostRecent(minutely, At("2024-03-08T10:00:30Z"), At("2024-03-08T10:00:59Z")));
        var hourly = Parse("0 * * * *");
        var (time, missed) = CronController.MostRecent(hourly, At("2024-01-01T00:00:00Z"), At("2024-02-01T00:30:00Z"));
        Assert.Equal(At("2024-02-01T00:00:00Z"), time);
        Assert.Equal(744L, missed);
        // An irregular schedule: stepping by the first interval lands on a weekend with no time after it; the walk still finds Friday.
        var weekdays = Parse("0 9 * * 1-5");
        Assert.Equal(At("2024-03-08T09:00:00Z"), CronController.MostRecent(weekdays, At("2024-03-06T10:00:00Z"), At("2024-03-10T10:00:00Z")).Time);
    }
}
