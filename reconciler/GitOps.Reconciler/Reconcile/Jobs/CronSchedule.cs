using System.Globalization;
using GitOps.Reconciler.Values;
using Quartz;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>
/// A Kubernetes CronJob schedule: what kube-controller-manager accepts (robfig/cron's standard parser) — five
/// fields (minute hour day-of-month month day-of-week, with lists, ranges, steps, <c>*</c>/<c>?</c>, month and
/// weekday names, Sunday = 0), the macros <c>@yearly @annually @monthly @weekly @daily @midnight @hourly</c>,
/// <c>@every DURATION</c>, and an unofficial <c>TZ=</c>/<c>CRON_TZ=</c> prefix — evaluated with Quartz.NET.
/// </summary>
/// <remarks>
/// Each field is parsed into its set of values and written out for Quartz as an explicit list, so no syntax of
/// one dialect is ever read in the other's meaning (Quartz counts weekdays 1-7 from Sunday, cron 0-6). Cron
/// matches day-of-month OR day-of-week when both are restricted (AND when either is <c>*</c>); Quartz needs
/// <c>?</c> in one of them and has no OR, so such a schedule becomes two Quartz expressions and the next time
/// is the earlier of the two.
/// </remarks>
internal sealed class CronSchedule
{
    private readonly CronExpression[] _expressions;
    private readonly TimeSpan? _every;

    private CronSchedule(string text, TimeZoneInfo zone, CronExpression[] expressions, TimeSpan? every)
    {
        Text = text;
        Zone = zone;
        _expressions = expressions;
        _every = every;
    }

    public string Text { get; }

    public TimeZoneInfo Zone { get; }

    /// <summary>The Quartz expressions the schedule became (empty for <c>@every</c>), for tests and diagnostics.</summary>
    public IReadOnlyList<string> QuartzExpressions => [.. _expressions.Select(e => e.CronExpressionString)];

    /// <summary>The first scheduled time strictly after <paramref name="after"/>, or null if there is none (e.g. "0 0 30 2 *").</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        if (_every is { } every)
        {
            // robfig's ConstantDelaySchedule: the whole second of "after", plus the delay.
            var whole = after.AddTicks(-(after.Ticks % TimeSpan.TicksPerSecond));
            return whole + every;
        }
        DateTimeOffset? best = null;
        foreach (var e in _expressions)
            if (e.GetNextValidTimeAfter(after) is { } t && (best is null || t < best)) best = t;
        return best;
    }

    /// <summary>
    /// Parses <paramref name="schedule"/> for <paramref name="timeZone"/> (an IANA name; null: <paramref name="local"/>, the daemon's zone).
    /// Returns null and an error naming what is wrong otherwise.
    /// </summary>
    public static CronSchedule? TryParse(string schedule, string? timeZone, out string? error, TimeZoneInfo? local = null)
    {
        error = null;
        var text = schedule.Trim();
        var zone = local ?? TimeZoneInfo.Local;
        if (text.StartsWith("TZ=", StringComparison.Ordinal) || text.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = text.IndexOfAny([' ', '\t']);
            if (space < 0) { error = "a TZ= prefix must be followed by a schedule"; return null; }
            var name = text[(text.IndexOf('=') + 1)..space];
            if (timeZone is not null) { error = "cannot use both the timeZone field and TZ or CRON_TZ in the schedule"; return null; }
            if (FindZone(name) is not { } prefixed) { error = $"unknown time zone \"{name}\""; return null; }
            zone = prefixed;
            text = text[space..].Trim();
        }
        else if (timeZone is not null)
        {
            if (FindZone(timeZone) is not { } named) { error = $"unknown time zone \"{timeZone}\""; return null; }
            zone = named;
        }

        if (text.StartsWith('@'))
        {
            if (text.StartsWith("@every ", StringComparison.Ordinal))
            {
                var d = text["@every ".Length..].Trim();
                if (!GoDuration.TryParse(d, out var every) || every <= TimeSpan.Zero) { error = $"failed to parse duration \"{d}\" of @every"; return null; }
                // robfig rounds the delay down to whole seconds, with one second at least.
                every = TimeSpan.FromSeconds(Math.Max(1, Math.Floor(every.TotalSeconds)));
                return new CronSchedule(schedule, zone, [], every);
            }
            text = text switch
            {
                "@yearly" or "@annually" => "0 0 1 1 *",
                "@monthly" => "0 0 1 * *",
                "@weekly" => "0 0 * * 0",
                "@daily" or "@midnight" => "0 0 * * *",
                "@hourly" => "0 * * * *",
                _ => "",
            };
            if (text.Length == 0) { error = $"unrecognized descriptor: {schedule.Trim()}"; return null; }
        }

        var fields = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5) { error = $"expected exactly 5 fields (minute hour day-of-month month day-of-week), found {fields.Length}: \"{text}\""; return null; }
        var minute = Field(fields[0], Minute, out error); if (error is not null) return null;
        var hour = Field(fields[1], Hour, out error); if (error is not null) return null;
        var dom = Field(fields[2], DayOfMonth, out error); if (error is not null) return null;
        var month = Field(fields[3], Month, out error); if (error is not null) return null;
        var dow = Field(fields[4], DayOfWeek, out error); if (error is not null) return null;

        var head = $"0 {List(minute.Bits, Minute)} {List(hour.Bits, Hour)}";
        var months = List(month.Bits, Month);
        // Quartz: weekdays 1 (Sunday) to 7; cron: 0 (Sunday) to 6.
        var weekdays = dow.Star ? "*" : string.Join(',', Values(dow.Bits, DayOfWeek).Select(v => (v + 1).ToString(CultureInfo.InvariantCulture)));
        var days = List(dom.Bits, DayOfMonth);
        string[] quartz = (dom.Star, dow.Star) switch
        {
            (true, true) => [$"{head} * {months} ?"],
            (true, false) => [$"{head} ? {months} {weekdays}"],
            (false, true) => [$"{head} {days} {months} ?"],
            _ => [$"{head} {days} {months} ?", $"{head} ? {months} {weekdays}"],
        };
        try
        {
            var expressions = quartz.Select(q => new CronExpression(q, zone)).ToArray();
            return new CronSchedule(schedule, zone, expressions, null);
        }
        catch (FormatException e)
        {
            error = $"schedule \"{text}\" cannot be evaluated: {e.Message}";
            return null;
        }
    }

    /// <summary>An IANA zone by name; "Local" is refused, as the API server refuses it (a schedule must not depend on where it runs).</summary>
    public static TimeZoneInfo? FindZone(string name)
    {
        if (name.Length == 0 || string.Equals(name, "Local", StringComparison.OrdinalIgnoreCase)) return null;
        try { return TimeZoneInfo.FindSystemTimeZoneById(name); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return null; }
    }

    private sealed record Bounds(string Name, int Min, int Max, string[]? Names = null);

    private static readonly Bounds Minute = new("minute", 0, 59);
    private static readonly Bounds Hour = new("hour", 0, 23);
    private static readonly Bounds DayOfMonth = new("day of month", 1, 31);
    private static readonly Bounds Month = new("month", 1, 12, ["", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]);
    private static readonly Bounds DayOfWeek = new("day of week", 0, 6, ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]);

    private readonly record struct Parsed(ulong Bits, bool Star);

    /// <summary>One field as robfig/cron reads it: comma-separated ranges, each <c>*</c>, <c>?</c>, N or N-M, with an optional /STEP.</summary>
    private static Parsed Field(string field, Bounds b, out string? error)
    {
        error = null;
        ulong bits = 0;
        var star = false;
        foreach (var part in field.Split(','))
        {
            var slash = part.Split('/');
            if (slash.Length > 2) { error = $"too many slashes in {b.Name} field: \"{part}\""; return default; }
            var range = slash[0];
            int start, end;
            var isStar = range is "*" or "?";
            if (isStar) { start = b.Min; end = b.Max; }
            else
            {
                var dash = range.Split('-');
                if (dash.Length > 2) { error = $"too many hyphens in {b.Name} field: \"{part}\""; return default; }
                if (!Value(dash[0], b, out start, out error)) return default;
                end = start;
                if (dash.Length == 2 && !Value(dash[1], b, out end, out error)) return default;
            }
            var step = 1;
            if (slash.Length == 2)
            {
                if (!int.TryParse(slash[1], NumberStyles.None, CultureInfo.InvariantCulture, out step)) { error = $"failed to parse step \"{slash[1]}\" in {b.Name} field"; return default; }
                if (step == 0) { error = $"step of range should be a positive number: \"{part}\""; return default; }
                // "N/step" means "N-max/step".
                if (!isStar && !range.Contains('-')) end = b.Max;
            }
            if (start < b.Min) { error = $"beginning of range ({start}) below minimum ({b.Min}) in {b.Name} field: \"{part}\""; return default; }
            if (end > b.Max) { error = $"end of range ({end}) above maximum ({b.Max}) in {b.Name} field: \"{part}\""; return default; }
            if (start > end) { error = $"beginning of range ({start}) beyond end of range ({end}) in {b.Name} field: \"{part}\""; return default; }
            for (var v = start; v <= end; v += step) bits |= 1UL << v;
            // Only "*" or "?" without a step (or with step 1) leaves a day field unrestricted, as robfig's star bit.
            if (isStar && step == 1) star = true;
        }
        return new Parsed(bits, star);
    }

    private static bool Value(string text, Bounds b, out int value, out string? error)
    {
        error = null;
        if (b.Names is { } names)
        {
            var i = Array.FindIndex(names, n => n.Length > 0 && string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (i >= 0) { value = i; return true; }
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return true;
        error = $"failed to parse int from \"{text}\" in {b.Name} field";
        return false;
    }

    private static IEnumerable<int> Values(ulong bits, Bounds b)
    {
        for (var v = b.Min; v <= b.Max; v++)
            if ((bits & (1UL << v)) != 0) yield return v;
    }

    private static string List(ulong bits, Bounds b)
    {
        var all = Enumerable.Range(b.Min, b.Max - b.Min + 1).Aggregate(0UL, (acc, v) => acc | (1UL << v));
        return bits == all ? "*" : string.Join(',', Values(bits, b).Select(v => v.ToString(CultureInfo.InvariantCulture)));
    }

    public override string ToString() => Text;
}
