using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace GitOps.EndToEnd.Tests;

/// <summary>A daemon of its own, so these long-waiting tests run beside the other GitOps classes.</summary>
public sealed class GitOpsWorkloadFixture : DaemonFixture
{
    protected override string ExtraDaemonArgs => "--drift-interval 500ms";
}

/// <summary>
/// Run-to-completion work and per-node services through the GitOps loop, with real containers: Kubernetes Jobs
/// (once per spec, never again for a poll, a heal or a daemon restart; back-off, backoffLimit, deadlines), CronJobs
/// (a Job per scheduled minute, history limits), DaemonSets, and Compose one-off services.
/// </summary>
public sealed class GitOpsWorkloadTests(GitOpsWorkloadFixture d) : IClassFixture<GitOpsWorkloadFixture>
{
    JsonElement Status(string app)
    {
        using var doc = JsonDocument.Parse(d.Ok("status", "-o", "json", app));
        return doc.RootElement[0].Clone();
    }

    string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";

    void WaitFor(string app, string commit, string health)
    {
        Gitops.Eventually(() => Status(app) is var s && Str(s, "revision") == commit && Str(s, "sync") == "Synced" && Str(s, "health") == health,
            TimeSpan.FromSeconds(90), $"{app} at {commit[..7]}, Synced and {health}; status: {d.Cli("status", "-o", "json", app).Out}\nlog:\n{Tail()}");
    }

    string Tail() => string.Join("\n", File.ReadAllLines(d.DaemonLog).TakeLast(40));

    /// <summary>NAME → ID of the app's containers (all of them, stopped too).</summary>
    Dictionary<string, string> Containers(string app) =>
        d.Ok("ps", "-a", "--filter", $"label=gitops.app={app}", "--format", "{{.Names}} {{.ID}}").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);

    string State(string container) => d.Ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", container);

    /// <summary>The row of <c>gitops get KIND</c> for APP/NAME, split on runs of spaces.</summary>
    string[]? Row(string kind, string app, string name) =>
        d.Ok("get", kind).Split('\n').Skip(1).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).ToArray())
            .FirstOrDefault(r => r.Length > 0 && r[0] == $"{app}/{name}");

    static string Job(string name, string command, string extra = "", string restart = "Never") => $$"""
        apiVersion: batch/v1
        kind: Job
        metadata: { name: {{name}} }
        spec:
        {{extra}}
          template:
            spec:
              restartPolicy: {{restart}}
              containers:
                - name: main
                  image: bb
                  imagePullPolicy: Never
                  command: ["sh", "-c", "{{command}}"]

        """;

    [Fact]
    public void A_job_runs_to_completion_once_and_is_not_rerun_by_polls_heal_or_a_daemon_restart_until_its_spec_changes()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-job"));
        var v1 = repo.Commit("v1", ("job.yaml", Job("migrate", "echo index=$JOB_COMPLETION_INDEX", "  completions: 2\n  parallelism: 2\n  completionMode: Indexed")));
        d.Ok("app", "add", "jb", "--repo", repo.Dir, "--interval", "1s", "--self-heal", "--prune");
        WaitFor("jb", v1, "Healthy");
        var first = Containers("jb");
        Assert.Equal(["jb-migrate-1", "jb-migrate-2"], first.Keys.Order());
        Assert.All(first.Keys, c => Assert.Equal("exited 0", State(c)));
        Assert.Equal(["index=0", "index=1"], first.Keys.Select(c => d.Ok("logs", c)).Order());
        Assert.Equal("migrate", d.Ok("inspect", "-f", "{{index .Config.Labels \"batch.kubernetes.io/job-name\"}}", "jb-migrate-1"));
        var row = Row("jobs", "jb", "migrate");
        Assert.True(row is [_, "Complete", "2/2", ..], string.Join(" | ", row ?? []));
        Assert.Empty(JsonDocument.Parse(d.Ok("drift", "jb", "-o", "json")).RootElement[0].GetProperty("items").EnumerateArray());

        // Polls every second, self-heal every half second, an explicit sync: the finished pods stay as they are, no new one.
        Thread.Sleep(3000);
        d.Ok("sync", "jb");
        Assert.Equal(first, Containers("jb"));
        Assert.Equal("Healthy", Str(Status("jb"), "health"));

        // A daemon killed and started again remembers the run.
        d.KillDaemon();
        d.StartDaemon();
        WaitFor("jb", v1, "Healthy");
        Thread.Sleep(2000);
        Assert.Equal(first, Containers("jb"));
        // Even with its status file lost, the run's finished pods are found and counted, not run again.
        d.KillDaemon();
        File.Delete(Path.Combine(d.Root, "reconciler", "apps", "jb", "jobs.json"));
        d.StartDaemon();
        WaitFor("jb", v1, "Healthy");
        Gitops.Eventually(() => Row("jobs", "jb", "migrate") is [_, "Complete", "2/2", ..], TimeSpan.FromSeconds(30), "the run to be found complete");
        Assert.Equal(first, Containers("jb"));

        // A changed template is a new run: the old pods go, new ones run to completion.
        var v2 = repo.Commit("v2", ("job.yaml", Job("migrate", "echo v2-$JOB_COMPLETION_INDEX", "  completions: 2\n  parallelism: 2\n  completionMode: Indexed")));
        WaitFor("jb", v2, "Healthy");
        Gitops.Eventually(() => Row("jobs", "jb", "migrate") is [_, "Complete", "2/2", ..], TimeSpan.FromSeconds(30), "the new run to complete");
        var second = Containers("jb");
        Assert.Equal(["jb-migrate-1", "jb-migrate-2"], second.Keys.Order());
        Assert.All(second.Keys, c => Assert.NotEqual(first[c], second[c]));
        Assert.Equal(["v2-0", "v2-1"], second.Keys.Select(c => d.Ok("logs", c)).Order());

        // The Job leaves Git (prune is on): its pods go.
        var v3 = repo.Commit("v3", ("job.yaml", null), ("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: keep }\ndata: { a: b }\n"));
        WaitFor("jb", v3, "Healthy");
        Assert.Empty(Containers("jb"));
        d.Ok("app", "rm", "--remove-resources", "jb");
    }

    [Fact]
    public void A_failing_job_backs_off_fails_past_its_limit_and_a_deadline_stops_a_slow_one_and_the_app_says_why()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-fail"));
        var v1 = repo.Commit("v1",
            ("flaky.yaml", Job("flaky", "echo try; exit 3", "  backoffLimit: 1")),
            ("slow.yaml", Job("slow", "sleep 3600", "  activeDeadlineSeconds: 3")));
        d.Ok("app", "add", "jf", "--repo", repo.Dir, "--interval", "1h", "--self-heal");
        // First failure, then the second pod only after the 10 s back-off, then BackoffLimitExceeded (2 failures > 1).
        Gitops.Eventually(() => Str(Status("jf"), "health") == "Degraded" && Str(Status("jf"), "healthReason").Contains("job flaky failed: BackoffLimitExceeded", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), $"flaky to fail; status {d.Cli("status", "-o", "json", "jf").Out}\n{Tail()}");
        var flaky = Containers("jf").Keys.Where(k => k.StartsWith("jf-flaky-", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(["jf-flaky-1", "jf-flaky-2"], flaky);
        Assert.All(flaky, c => Assert.Equal("exited 3", State(c))); // kept for their logs
        var started = flaky.Select(c => DateTimeOffset.Parse(d.Ok("inspect", "-f", "{{.State.StartedAt}}", c), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(started[1] - started[0] >= TimeSpan.FromSeconds(9), $"second pod after {started[1] - started[0]}");
        Assert.True(Row("jobs", "jf", "flaky") is [_, "Failed", "0/1", ..]);

        // The slow one failed at its deadline and its running pod is gone.
        Gitops.Eventually(() => Row("jobs", "jf", "slow") is [_, "Failed", ..], TimeSpan.FromSeconds(30), "slow to hit its deadline");
        Assert.DoesNotContain("jf-slow-1", Containers("jf").Keys);
        Assert.Contains("DeadlineExceeded", Str(Status("jf"), "healthReason"));
        Assert.Contains("BackoffLimitExceeded", d.Ok("status", "jf"));

        // Heal does not start failed Jobs again.
        Thread.Sleep(2000);
        Assert.Equal(flaky, Containers("jf").Keys.Where(k => k.StartsWith("jf-flaky-", StringComparison.Ordinal)).Order().ToList());
        d.Ok("app", "rm", "--remove-resources", "jf");
    }

    [Fact]
    public void A_cronjob_creates_a_job_per_minute_named_after_it_never_twice_and_keeps_only_its_history()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-cron"));
        var v1 = repo.Commit("v1", ("cron.yaml", """
            apiVersion: batch/v1
            kind: CronJob
            metadata: { name: tick }
            spec:
              schedule: "* * * * *"
              successfulJobsHistoryLimit: 1
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers:
                        - { name: t, image: bb, imagePullPolicy: Never, command: ["sh", "-c", "echo tock"] }

            """));
        d.Ok("app", "add", "cj", "--repo", repo.Dir, "--interval", "1s", "--self-heal");
        WaitFor("cj", v1, "Healthy");
        var row = Row("cronjobs", "cj", "tick");
        Assert.True(row is [_, "* * * * *", "<none>", "False", _, _, _], string.Join(" | ", row ?? []));

        // The first Job: named after its scheduled minute, as Kubernetes names it.
        string? firstJob = null;
        Gitops.Eventually(() => (firstJob = Jobs("cj").FirstOrDefault(j => j.Status == "Complete").Name) is not null, TimeSpan.FromSeconds(100), $"a first job; log:\n{Tail()}");
        var minutes = long.Parse(firstJob!["tick-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 - minutes, 0, 1);
        Assert.Equal("tock", d.Ok("logs", $"cj-{firstJob}-1"));
        Assert.Equal("tick", d.Ok("inspect", "-f", "{{index .Config.Labels \"gitops.cronjob\"}}", $"cj-{firstJob}-1"));

        // A daemon restart in the same minute does not run that minute again.
        d.KillDaemon();
        d.StartDaemon();
        WaitFor("cj", v1, "Healthy");
        Assert.Single(Jobs("cj"), j => j.Name == firstJob);

        // The next minute's Job; with successfulJobsHistoryLimit 1 the first one and its pod are deleted.
        Gitops.Eventually(() => Jobs("cj") is [(var n, "Complete")] && n != firstJob, TimeSpan.FromSeconds(100), $"the second job to replace the first in the history; log:\n{Tail()}");
        Assert.DoesNotContain($"cj-{firstJob}-1", Containers("cj").Keys);
        Assert.NotEqual("<none>", Row("cronjobs", "cj", "tick")![5]);
        // Only Jobs still in the history (or started since) have pods.
        var kept = Jobs("cj").Select(j => j.Name).ToHashSet();
        Assert.All(Containers("cj").Keys, c => Assert.Contains(c[3..c.LastIndexOf('-')], kept));
        d.Ok("app", "rm", "--remove-resources", "cj");
    }

    List<(string Name, string Status)> Jobs(string app) =>
        d.Ok("get", "jobs").Split('\n').Skip(1).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).ToArray())
            .Where(r => r.Length >= 2 && r[0].StartsWith(app + "/", StringComparison.Ordinal)).Select(r => (r[0][(app.Length + 1)..], r[1])).ToList();

    [Fact]
    public void A_daemonset_runs_one_pod_on_the_node_and_replaces_it_when_its_template_changes()
    {
        static string Ds(string version) => $$"""
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: { name: agent }
            spec:
              selector: { matchLabels: { app: agent } }
              template:
                metadata: { labels: { app: agent } }
                spec:
                  terminationGracePeriodSeconds: 2
                  nodeSelector: { kubernetes.io/os: linux }
                  containers:
                    - name: a
                      image: bb
                      imagePullPolicy: Never
                      command: ["sleep", "3600"]
                      env: [{ name: V, value: "{{version}}" }]

            """;
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-ds"));
        var v1 = repo.Commit("v1", ("ds.yaml", Ds("1")));
        d.Ok("app", "add", "ds", "--repo", repo.Dir, "--interval", "1h");
        WaitFor("ds", v1, "Healthy");
        var first = Containers("ds");
        Assert.Equal(["ds-agent-1"], first.Keys);
        Assert.Equal("running 0", State("ds-agent-1"));
        var row = Row("daemonsets", "ds", "agent");
        Assert.True(row is [_, "1", "1", "1", "1", "1", "kubernetes.io/os=linux", _], string.Join(" | ", row ?? []));
        Assert.Null(Row("deployments", "ds", "agent"));

        var v2 = repo.Commit("v2", ("ds.yaml", Ds("2")));
        d.Ok("sync", "ds");
        WaitFor("ds", v2, "Healthy");
        Assert.NotEqual(first["ds-agent-1"], Containers("ds")["ds-agent-1"]);
        Assert.Contains("V=2", d.Ok("inspect", "-f", "{{.Config.Env}}", "ds-agent-1"));
        d.Ok("app", "rm", "--remove-resources", "ds");
    }

    [Fact]
    public void A_compose_one_off_that_succeeded_is_left_alone_and_one_that_failed_is_reported_and_rerun_only_on_request()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-oneoff"));
        var v1 = repo.Commit("v1", ("compose.yaml", """
            services:
              init:
                image: bb
                command: ["sh", "-c", "echo seeded"]
                restart: "no"
              web:
                image: bb
                command: ["sleep", "3600"]
                restart: always

            """));
        d.Ok("app", "add", "oo", "--repo", repo.Dir, "--interval", "1s", "--self-heal");
        WaitFor("oo", v1, "Healthy");
        var ids = Containers("oo");
        Assert.Equal("exited 0", State("oo-init-1"));
        var startedAt = d.Ok("inspect", "-f", "{{.State.StartedAt}}", "oo-init-1");
        Thread.Sleep(3000); // polls and heals
        d.KillDaemon();
        d.StartDaemon();
        WaitFor("oo", v1, "Healthy");
        Thread.Sleep(1500);
        Assert.Equal(ids, Containers("oo"));
        Assert.Equal(startedAt, d.Ok("inspect", "-f", "{{.State.StartedAt}}", "oo-init-1"));
        Assert.Empty(JsonDocument.Parse(d.Ok("drift", "oo", "-o", "json")).RootElement[0].GetProperty("items").EnumerateArray());

        // A one-off that fails: Exited (3) is reported, self-heal does not run it again, an explicit sync does.
        var v2 = repo.Commit("v2", ("compose.yaml", """
            services:
              init:
                image: bb
                command: ["sh", "-c", "echo broken; exit 3"]
                restart: "no"
              web:
                image: bb
                command: ["sleep", "3600"]
                restart: always

            """));
        Gitops.Eventually(() => Status("oo") is var s && Str(s, "revision") == v2 && Str(s, "health") == "Degraded", TimeSpan.FromSeconds(60), $"the failure to be reported; {d.Cli("status", "-o", "json", "oo").Out}");
        Assert.Equal("service init: oo-init-1 exited (3)", Str(Status("oo"), "healthReason"));
        Assert.Contains("exited (3)", d.Ok("status", "oo"));
        var failedAt = d.Ok("inspect", "-f", "{{.State.StartedAt}}", "oo-init-1");
        Thread.Sleep(3000);
        Assert.Equal(failedAt, d.Ok("inspect", "-f", "{{.State.StartedAt}}", "oo-init-1"));
        d.Cli("sync", "oo"); // fails again, as the one-off does
        Assert.NotEqual(failedAt, d.Ok("inspect", "-f", "{{.State.StartedAt}}", "oo-init-1"));
        d.Ok("app", "rm", "--remove-resources", "oo");
    }
}
