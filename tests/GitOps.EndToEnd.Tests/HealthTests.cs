using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>
/// Health checks run as execs in real busybox containers: Docker's states, streaks, start period,
/// timeout, the image's HEALTHCHECK and NONE, and what inspect, ps and events show of them.
/// Intervals are 200 ms–1 s so that each test takes seconds.
/// </summary>
public sealed class HealthTests(DaemonFixture d) : IClassFixture<DaemonFixture>
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    JsonElement Inspect(string container)
    {
        using var doc = JsonDocument.Parse(d.Ok("inspect", container));
        return doc.RootElement[0].Clone();
    }

    JsonElement Health(string container) => Inspect(container).GetProperty("State").GetProperty("Health");

    string Status(string container) => d.Cli("inspect", "-f", "{{.State.Health.Status}}", container).Out;

    void WaitFor(string container, string status) =>
        Gitops.Eventually(() => Status(container) == status, Patience, $"{container} to be {status}");

    string Events(long since, string container) =>
        d.Ok("events", "--since", since.ToString(), "--until", (since + 120).ToString(),
            "--filter", "container=" + container, "--filter", "event=health_status", "--format", "{{.Action}}");

    static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;

    [Fact]
    public void A_passing_check_goes_from_starting_to_healthy_in_ps_inspect_filters_and_events()
    {
        var since = Now();
        var id = d.Ok("run", "-d", "--name", "hc-ok", "--health-cmd", "echo probing; exit 0", "--health-interval", "1s", "bb", "sleep", "60");
        // The first probe waits one interval, as Docker's does.
        Assert.EndsWith("(health: starting)", d.Ok("ps", "--filter", "name=hc-ok", "--format", "{{.Status}}"));
        Assert.Equal(id[..12], d.Ok("ps", "-q", "--filter", "health=starting"));
        WaitFor("hc-ok", "healthy");

        Assert.EndsWith("(healthy)", d.Ok("ps", "--filter", "name=hc-ok", "--format", "{{.Status}}"));
        Assert.Equal(id[..12], d.Ok("ps", "-q", "--filter", "health=healthy"));
        Assert.Equal("", d.Ok("ps", "-q", "--filter", "health=unhealthy"));
        var bad = d.Cli("ps", "--filter", "health=fine");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Unrecognised filter value for health: fine", bad.Stderr);

        var inspect = Inspect("hc-ok");
        var config = inspect.GetProperty("Config").GetProperty("Healthcheck");
        Assert.Equal(["CMD-SHELL", "echo probing; exit 0"], config.GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1_000_000_000, config.GetProperty("Interval").GetInt64());
        var health = inspect.GetProperty("State").GetProperty("Health");
        Assert.Equal(0, health.GetProperty("FailingStreak").GetInt32());
        var last = health.GetProperty("Log").EnumerateArray().Last();
        Assert.Equal(0, last.GetProperty("ExitCode").GetInt32());
        Assert.Equal("probing\n", last.GetProperty("Output").GetString());
        Assert.True(last.GetProperty("End").GetDateTime() >= last.GetProperty("Start").GetDateTime());

        Assert.Equal("health_status: healthy", Events(since, id));

        // A restart begins again at "starting"; a stopped container's check reads unhealthy, as Docker's does.
        d.Ok("restart", "-t", "0", "hc-ok");
        Assert.Equal("starting", Status("hc-ok"));
        WaitFor("hc-ok", "healthy");
        d.Ok("stop", "-t", "0", "hc-ok");
        Assert.Equal("unhealthy", Status("hc-ok"));
        d.Ok("rm", "hc-ok");
    }

    [Fact]
    public void Retries_failures_make_it_unhealthy_and_one_success_makes_it_healthy_again()
    {
        var since = Now();
        var id = d.Ok("run", "-d", "--name", "hc-flip", "--health-cmd", "test -f /tmp/ok", "--health-interval", "200ms", "--health-retries", "3", "bb", "sleep", "60");
        WaitFor("hc-flip", "unhealthy");
        var health = Health("hc-flip");
        Assert.True(health.GetProperty("FailingStreak").GetInt32() >= 3);
        Assert.All(health.GetProperty("Log").EnumerateArray(), l => Assert.Equal(1, l.GetProperty("ExitCode").GetInt32()));
        Assert.EndsWith("(unhealthy)", d.Ok("ps", "--filter", "name=hc-flip", "--format", "{{.Status}}"));
        Assert.Equal(id[..12], d.Ok("ps", "-q", "--filter", "health=unhealthy"));

        d.Ok("exec", "hc-flip", "touch", "/tmp/ok");
        WaitFor("hc-flip", "healthy");
        // More than five probes by now: the log holds the last five.
        Gitops.Eventually(() => Health("hc-flip").GetProperty("Log").GetArrayLength() == 5, Patience, "five log entries");
        Assert.Equal(0, Health("hc-flip").GetProperty("FailingStreak").GetInt32());

        // One event per change of status, none for the probes in between.
        Assert.Equal("health_status: unhealthy\nhealth_status: healthy", Events(since, id));
        d.Ok("rm", "-f", "hc-flip");
    }

    [Fact]
    public void Failures_in_the_start_period_are_logged_but_not_counted()
    {
        d.Ok("run", "-d", "--name", "hc-slow", "--health-cmd", "exit 1", "--health-interval", "200ms", "--health-start-interval", "200ms",
            "--health-retries", "1", "--health-start-period", "3s", "bb", "sleep", "60");
        Gitops.Eventually(() => d.Cli("inspect", "-f", "{{len .State.Health.Log}}", "hc-slow").Out is "2" or "3" or "4" or "5", Patience, "probes in the start period");
        var health = Health("hc-slow");
        Assert.Equal("starting", health.GetProperty("Status").GetString());
        Assert.Equal(0, health.GetProperty("FailingStreak").GetInt32());
        WaitFor("hc-slow", "unhealthy");
        var started = Inspect("hc-slow").GetProperty("State").GetProperty("StartedAt").GetDateTime();
        var firstCounted = Health("hc-slow").GetProperty("Log").EnumerateArray().Select(l => l.GetProperty("Start").GetDateTime()).Last();
        Assert.True(firstCounted - started >= TimeSpan.FromSeconds(3), $"counted a failure {firstCounted - started} after the start");
        d.Ok("rm", "-f", "hc-slow");
    }

    [Fact]
    public void A_probe_past_its_timeout_is_killed_and_fails_with_dockers_message()
    {
        d.Ok("run", "-d", "--name", "hc-hang", "--health-cmd", "echo started; sleep 30", "--health-timeout", "300ms", "--health-interval", "200ms",
            "--health-retries", "2", "bb", "sleep", "60");
        WaitFor("hc-hang", "unhealthy");
        var last = Health("hc-hang").GetProperty("Log").EnumerateArray().Last();
        Assert.Equal(-1, last.GetProperty("ExitCode").GetInt32());
        Assert.Equal("Health check exceeded timeout (300ms): started\n", last.GetProperty("Output").GetString());
        Assert.True(last.GetProperty("End").GetDateTime() - last.GetProperty("Start").GetDateTime() < TimeSpan.FromSeconds(5));
        // Killed probes do not pile up: at most the one running now.
        var sleeps = d.Ok("exec", "hc-hang", "ps", "-o", "args").Split('\n').Count(l => l.Trim() == "sleep 30");
        Assert.InRange(sleeps, 0, 1);
        d.Ok("rm", "-f", "hc-hang");
    }

    [Fact]
    public void Long_output_is_cut_at_4_KiB()
    {
        d.Ok("run", "-d", "--name", "hc-chatty", "--health-cmd", "head -c 6000 /dev/zero | tr '\\0' x", "--health-interval", "200ms", "bb", "sleep", "60");
        WaitFor("hc-chatty", "healthy");
        var output = Health("hc-chatty").GetProperty("Log")[0].GetProperty("Output").GetString()!;
        Assert.Equal(new string('x', 4096) + "...", output);
        d.Ok("rm", "-f", "hc-chatty");
    }

    [Fact]
    public void The_images_HEALTHCHECK_runs_run_flags_override_parts_of_it_and_NONE_disables_it()
    {
        var ctx = Path.Combine(d.Dir, "hc-image");
        Directory.CreateDirectory(ctx);
        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), "FROM bb\nHEALTHCHECK --interval=200ms --retries=1 CMD test -e /etc/hostname\n");
        d.Ok("build", "-q", "-t", "hc-img", ctx);

        d.Ok("run", "-d", "--name", "img-hc", "hc-img", "sleep", "60");
        WaitFor("img-hc", "healthy");

        // Only the interval is given: the image's test and retries stay.
        d.Ok("run", "-d", "--name", "img-merged", "--health-interval", "300ms", "hc-img", "sleep", "60");
        var merged = Inspect("img-merged").GetProperty("Config").GetProperty("Healthcheck");
        Assert.Equal(["CMD-SHELL", "test -e /etc/hostname"], merged.GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(300_000_000, merged.GetProperty("Interval").GetInt64());
        Assert.Equal(1, merged.GetProperty("Retries").GetInt32());
        WaitFor("img-merged", "healthy");

        var none = d.Ok("run", "-d", "--name", "img-none", "--no-healthcheck", "hc-img", "sleep", "60");
        var inspect = Inspect("img-none");
        Assert.Equal(["NONE"], inspect.GetProperty("Config").GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
        Thread.Sleep(600); // three intervals of the image's check: nothing runs
        Assert.False(Inspect("img-none").GetProperty("State").TryGetProperty("Health", out _));
        Assert.DoesNotContain("(", d.Ok("ps", "--filter", "name=img-none", "--format", "{{.Status}}"));
        Assert.Equal(none[..12], d.Ok("ps", "-q", "--filter", "health=none"));

        var conflict = d.Cli("run", "--rm", "--no-healthcheck", "--health-cmd", "true", "bb", "true");
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("--no-healthcheck conflicts with --health-* options", conflict.Stderr);
        d.Ok("rm", "-f", "img-hc", "img-merged", "img-none");
    }

    [Fact]
    public void The_api_takes_dockers_healthcheck_with_nanoseconds_and_checks_it()
    {
        var (status, body) = Api.Post(d, "containers/create?name=api-hc",
            """{"Image":"bb","Cmd":["sleep","60"],"Healthcheck":{"Test":["CMD","test","-d","/proc/1"],"Interval":200000000,"Retries":2}}""");
        Assert.True(status == 201, body);
        d.Ok("start", "api-hc");
        WaitFor("api-hc", "healthy");

        var (bad, error) = Api.Post(d, "containers/create", """{"Image":"bb","Cmd":["true"],"Healthcheck":{"Test":["CMD","true"],"Interval":1000,"Retries":-1}}""");
        Assert.Equal(400, bad);
        Assert.Contains("Interval in Healthcheck cannot be less than 1ms", error);
        d.Ok("rm", "-f", "api-hc");
    }
}

/// <summary>A daemon killed with SIGKILL and started again keeps each container's health and probes on.</summary>
public sealed class HealthRestoreTests(DaemonFixture d) : IClassFixture<DaemonFixture>
{
    [Fact]
    public void Health_survives_a_daemon_kill_and_adopted_containers_keep_probing()
    {
        d.Ok("run", "-d", "--name", "survivor", "--health-cmd", "test -f /tmp/ok", "--health-interval", "200ms", "--health-retries", "2",
            "bb", "sh", "-c", "touch /tmp/ok; exec sleep 120");
        Gitops.Eventually(() => d.Cli("inspect", "-f", "{{.State.Health.Status}}", "survivor").Out == "healthy", TimeSpan.FromSeconds(20), "healthy");

        d.KillDaemon();
        var down = DateTime.UtcNow;
        Thread.Sleep(500);
        d.StartDaemon();
        Assert.Equal("healthy", d.Ok("inspect", "-f", "{{.State.Health.Status}}", "survivor"));
        // New probes after the restart, by the new daemon.
        Gitops.Eventually(() =>
        {
            using var doc = JsonDocument.Parse(d.Ok("inspect", "survivor"));
            return doc.RootElement[0].GetProperty("State").GetProperty("Health").GetProperty("Log").EnumerateArray()
                .Any(l => l.GetProperty("Start").GetDateTime() > down.AddMilliseconds(500));
        }, TimeSpan.FromSeconds(20), "a probe after the restart");

        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
        d.Ok("exec", "survivor", "rm", "/tmp/ok");
        Gitops.Eventually(() => d.Cli("inspect", "-f", "{{.State.Health.Status}}", "survivor").Out == "unhealthy", TimeSpan.FromSeconds(20), "unhealthy");
        var events = d.Ok("events", "--since", since.ToString(), "--until", (since + 120).ToString(),
            "--filter", "event=health_status", "--format", "{{.Action}} {{.Actor.Attributes.name}}");
        Assert.Equal("health_status: unhealthy survivor", events);
        d.Ok("rm", "-f", "survivor");
    }
}
