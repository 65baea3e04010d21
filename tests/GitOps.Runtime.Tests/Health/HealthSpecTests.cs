using GitOps.Runtime.Health;
using GitOps.Runtime.Images;

namespace GitOps.Runtime.Tests.Health;

/// <summary>Test forms, Docker's defaults, the merge with the image's HEALTHCHECK and the daemon's validation.</summary>
public sealed class HealthSpecTests
{
    const long Second = 1_000_000_000;

    [Fact]
    public void Cmd_runs_as_given_and_cmd_shell_runs_in_bin_sh()
    {
        Assert.Equal(["curl", "-f", "http://localhost/"], HealthSpec.From(new HealthConfig(["CMD", "curl", "-f", "http://localhost/"]))!.Command);
        Assert.Equal(["/bin/sh", "-c", "test -f /ok || exit 1"], HealthSpec.From(new HealthConfig(["CMD-SHELL", "test -f /ok || exit 1"]))!.Command);
    }

    [Fact]
    public void None_empty_unknown_and_missing_tests_disable_the_check()
    {
        Assert.Null(HealthSpec.From(null));
        Assert.Null(HealthSpec.From(new HealthConfig(["NONE"])));
        Assert.Null(HealthSpec.From(new HealthConfig([])));
        Assert.Null(HealthSpec.From(new HealthConfig(null, Interval: Second)));
        Assert.Null(HealthSpec.From(new HealthConfig(["PING", "x"])));
        Assert.Null(HealthSpec.From(new HealthConfig(["CMD"])));
    }

    [Fact]
    public void Http_and_tcp_checks_are_made_by_the_daemon_and_need_a_port()
    {
        var http = HealthSpec.From(new HealthConfig(["HTTP-GET", "8080", "/healthz", "HTTPS"]))!;
        Assert.Equal((HealthCheckKind.Http, 8080, "/healthz", true), (http.Kind, http.Port, http.Path, http.Https));
        var plain = HealthSpec.From(new HealthConfig(["HTTP-GET", "80"]))!;
        Assert.Equal(("/", false), (plain.Path, plain.Https));
        var tcp = HealthSpec.From(new HealthConfig(["TCP", "5432"]))!;
        Assert.Equal((HealthCheckKind.Tcp, 5432), (tcp.Kind, tcp.Port));
        Assert.Null(HealthSpec.From(new HealthConfig(["TCP", "http"])));
        Assert.Equal(["TCP health check needs a port from 1 to 65535, as [\"TCP\", \"8080\"]"], HealthSpec.Validate(new HealthConfig(["TCP", "99999"])));
    }

    [Fact]
    public void Zero_timings_take_dockers_defaults_and_nanoseconds_are_kept()
    {
        var d = HealthSpec.From(new HealthConfig(["CMD", "true"]))!;
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.FromSeconds(5), 3),
            (d.Interval, d.Timeout, d.StartPeriod, d.StartInterval, d.Retries));
        var s = HealthSpec.From(new HealthConfig(["CMD", "true"], 250_000_000, 2 * Second, 10 * Second, 100_000_000, 7))!;
        Assert.Equal((TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), 7),
            (s.Interval, s.Timeout, s.StartPeriod, s.StartInterval, s.Retries));
    }

    /// <summary>Records compare lists by reference; the test compares what they hold.</summary>
    static string Flat(HealthConfig? c) => c is null ? "null" :
        $"{string.Join(' ', c.Test ?? [])}|{c.Interval}|{c.Timeout}|{c.StartPeriod}|{c.StartInterval}|{c.Retries}";

    [Fact]
    public void A_container_check_fills_its_gaps_from_the_images()
    {
        var image = new HealthConfig(["CMD", "check"], 5 * Second, 3 * Second, 0, 0, 4);
        Assert.Equal(Flat(image), Flat(HealthSpec.Merge(null, image)));
        Assert.Equal(Flat(new HealthConfig(["CMD", "check"], Second, 3 * Second, 0, 0, 4)), Flat(HealthSpec.Merge(new HealthConfig(null, Interval: Second), image)));
        Assert.Equal(Flat(new HealthConfig(["NONE"], 5 * Second, 3 * Second, 0, 0, 4)), Flat(HealthSpec.Merge(new HealthConfig(["NONE"]), image)));
        var own = new HealthConfig(["CMD-SHELL", "mine"], 2 * Second, 0, 0, 0, 0);
        Assert.Equal(Flat(own), Flat(HealthSpec.Merge(own, null)));
    }

    [Fact]
    public void Durations_under_a_millisecond_and_negative_retries_are_refused_all_at_once()
    {
        Assert.Empty(HealthSpec.Validate(new HealthConfig(["CMD", "true"], 1_000_000, 0, 0, 0, 0)));
        Assert.Equal(
            [
                "Interval in Healthcheck cannot be less than 1ms", "Timeout in Healthcheck cannot be less than 1ms",
                "Retries in Healthcheck cannot be negative", "StartPeriod in Healthcheck cannot be less than 1ms",
                "StartInterval in Healthcheck cannot be less than 1ms",
            ],
            HealthSpec.Validate(new HealthConfig(["CMD", "true"], 999, -1, 5, 1, -1)));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(1500, "1.5s")]
    [InlineData(30_000, "30s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    public void Timeouts_print_as_go_durations(int millis, string text) =>
        Assert.Equal(text, GoDuration.Format(TimeSpan.FromMilliseconds(millis)));

    [Fact]
    public void Probe_output_keeps_4_KiB_and_marks_what_it_dropped()
    {
        var o = new ProbeOutput();
        o.Write(new byte[3000].Select(_ => (byte)'a').ToArray());
        o.Write(new byte[2000].Select(_ => (byte)'b').ToArray());
        var text = o.ToString();
        Assert.Equal(4096 + 3, text.Length);
        Assert.EndsWith("b...", text);
        var small = new ProbeOutput();
        small.Write("ok\n"u8);
        Assert.Equal("ok\n", small.ToString());
    }
}
