using GitOps.Reconciler.Hashing;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Tests.Properties;

namespace GitOps.Reconciler.Tests.Jobs;

/// <summary>Job, CronJob and DaemonSet manifests as users write them: the API's defaults, its validation with positions, real files.</summary>
public sealed class JobMappingTests
{
    static Service Single(string yaml)
    {
        var result = Load.Yaml("app.yaml", yaml);
        Load.AssertValid(result, "app.yaml");
        return result.Application!.Services.Single().Value;
    }

    const string Pod = """
          template:
            spec:
              restartPolicy: OnFailure
              containers: [{ name: c, image: bb }]
        """;

    static string Job(string spec) => "apiVersion: batch/v1\nkind: Job\nmetadata: { name: j }\nspec:\n" + spec;

    [Fact]
    public void Job_defaults_follow_the_api()
    {
        var j = Single(Job(Pod));
        Assert.Equal(WorkloadKind.Job, j.Kind);
        Assert.Equal(new JobSpec(1, 1, 6, null, null, CompletionMode.NonIndexed, false), j.Job);
        Assert.Equal(RestartCondition.OnFailure, j.Template.Restart.Condition);
        Assert.Equal(new JobSpec(null, 4, 6, null, null, CompletionMode.NonIndexed, false), Single(Job("  parallelism: 4\n" + Pod)).Job); // a work queue
        Assert.Equal(new JobSpec(5, 1, 6, null, null, CompletionMode.NonIndexed, false), Single(Job("  completions: 5\n" + Pod)).Job);
        var full = Single(Job("  completions: 3\n  parallelism: 2\n  backoffLimit: 1\n  activeDeadlineSeconds: 600\n  ttlSecondsAfterFinished: 0\n  completionMode: Indexed\n  suspend: true\n" + Pod));
        Assert.Equal(new JobSpec(3, 2, 1, TimeSpan.FromMinutes(10), TimeSpan.Zero, CompletionMode.Indexed, true), full.Job);
    }

    [Theory]
    [InlineData("  template:\n    spec:\n      containers: [{ name: c, image: bb }]\n", 7, 7, "spec.template.spec", "a Job's pods need restartPolicy Never or OnFailure")]
    [InlineData("  template:\n    spec:\n      restartPolicy: Always\n      containers: [{ name: c, image: bb }]\n", 7, 22, "spec.template.spec.restartPolicy", "Always is not allowed")]
    [InlineData("  completionMode: Indexed\n" + Pod, 5, 19, "spec.completionMode", "completions must be given when completionMode is Indexed")]
    [InlineData("  selector: { matchLabels: { a: b } }\n" + Pod, 5, 13, "spec.selector", "manualSelector: true")]
    [InlineData("  activeDeadlineSeconds: 0\n" + Pod, 5, 26, "spec.activeDeadlineSeconds", "expected an integer of at least 1")]
    public void Job_mistakes_are_reported_where_they_are(string spec, int line, int column, string path, string message)
    {
        var error = Load.SingleError(Load.Yaml("app.yaml", Job(spec)));
        Assert.Equal((line, column, path), (error.Line, error.Column, error.Path));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Job_fields_gitops_does_not_run_are_warnings_and_a_manual_selector_must_match()
    {
        var result = Load.Yaml("app.yaml", Job("  podFailurePolicy: { rules: [] }\n" + Pod));
        Load.AssertValid(result, "podFailurePolicy");
        Assert.Contains(result.Warnings, w => w.Path == "spec.podFailurePolicy" && w.Message.Contains("not supported", StringComparison.Ordinal));
        var manual = "  manualSelector: true\n  selector: { matchLabels: { a: b } }\n  template:\n    metadata: { labels: { a: b } }\n    spec:\n      restartPolicy: Never\n      containers: [{ name: c, image: bb }]\n";
        Assert.Equal(WorkloadKind.Job, Single(Job(manual)).Kind);
        Assert.Contains("selector does not match", Load.SingleError(Load.Yaml("app.yaml", Job(manual.Replace("labels: { a: b } }\n    spec", "labels: { a: c } }\n    spec", StringComparison.Ordinal)))).Message);
    }

    static string Cron(string extra, string name = "backup") => $$"""
        apiVersion: batch/v1
        kind: CronJob
        metadata: { name: {{name}} }
        spec:
        {{extra}}
          jobTemplate:
            metadata: { labels: { team: ops } }
            spec:
              backoffLimit: 2
              template:
                spec:
                  restartPolicy: Never
                  containers: [{ name: c, image: bb }]
        """;

    [Fact]
    public void CronJob_defaults_and_fields()
    {
        var c = Single(Cron("  schedule: \"0 3 * * *\""));
        Assert.Equal(WorkloadKind.CronJob, c.Kind);
        Assert.Equal(new CronJobSpec("0 3 * * *", null, ConcurrencyPolicy.Allow, false, null, 3, 1, new ValueMap<string>([new("team", "ops")]), default), c.Cron);
        Assert.Equal(2, c.Job!.BackoffLimit);
        var full = Single(Cron("  schedule: \"@hourly\"\n  timeZone: Europe/Berlin\n  concurrencyPolicy: Forbid\n  suspend: true\n  startingDeadlineSeconds: 200\n  successfulJobsHistoryLimit: 0\n  failedJobsHistoryLimit: 5"));
        Assert.Equal(("@hourly", "Europe/Berlin", ConcurrencyPolicy.Forbid, true, TimeSpan.FromSeconds(200), 0, 5),
            (full.Cron!.Schedule, full.Cron.TimeZone, full.Cron.Concurrency, full.Cron.Suspend, full.Cron.StartingDeadline, full.Cron.SuccessfulJobsHistoryLimit, full.Cron.FailedJobsHistoryLimit));
    }

    [Theory]
    [InlineData("  schedule: \"61 * * * *\"", "backup", 5, 13, "spec.schedule", "end of range (61) above maximum (59) in minute field")]
    [InlineData("  schedule: \"@daily\"\n  timeZone: Mars/Base", "backup", 6, 13, "spec.timeZone", "unknown time zone \"Mars/Base\"")]
    [InlineData("  schedule: \"* * * *\"", "backup", 5, 13, "spec.schedule", "expected exactly 5 fields")]
    [InlineData("  schedule: \"@daily\"\n  concurrencyPolicy: Sometimes", "backup", 6, 22, "spec.concurrencyPolicy", "Allow")]
    [InlineData("  schedule: \"@daily\"", "a-name-that-is-far-too-long-for-a-cronjob-its-jobs-add-11", 3, 19, "metadata.name", "at most 52 characters")]
    public void CronJob_mistakes_are_reported_where_they_are(string extra, string name, int line, int column, string path, string message)
    {
        var error = Load.SingleError(Load.Yaml("app.yaml", Cron(extra, name)));
        Assert.Equal((line, column, path), (error.Line, error.Column, error.Path));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_tz_prefix_is_honoured_with_kubernetes_warning()
    {
        var result = Load.Yaml("app.yaml", Cron("  schedule: \"CRON_TZ=UTC 0 3 * * *\""));
        Load.AssertValid(result, "CRON_TZ");
        Assert.Contains(result.Warnings, w => w.Code == "k8s.cron-tz");
    }

    static string DaemonSet(string strategy) => $$"""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: { name: agent }
        spec:
          selector: { matchLabels: { app: agent } }
        {{strategy}}
          template:
            metadata: { labels: { app: agent } }
            spec:
              containers: [{ name: a, image: bb }]
        """;

    [Fact]
    public void DaemonSet_is_a_global_service_with_its_update_strategy()
    {
        var ds = Single(DaemonSet(""));
        Assert.Equal((WorkloadKind.DaemonSet, ReplicationMode.Global), (ds.Kind, ds.Replication.Mode));
        Assert.Equal((UpdateKind.Rolling, IntOrPercent.Count(0), IntOrPercent.Count(1)), (ds.Update.Kind, ds.Update.MaxSurge, ds.Update.MaxUnavailable));
        var surge = Single(DaemonSet("  updateStrategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }"));
        Assert.Equal((IntOrPercent.Count(1), IntOrPercent.Count(0)), (surge.Update.MaxSurge, surge.Update.MaxUnavailable));
        Assert.Equal(UpdateKind.OnDelete, Single(DaemonSet("  updateStrategy: { type: OnDelete }")).Update.Kind);
        var both = Load.SingleError(Load.Yaml("app.yaml", DaemonSet("  updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }")));
        Assert.Contains("may not both be zero", both.Message);
        Assert.Contains("selector does not match", Load.SingleError(Load.Yaml("app.yaml", DaemonSet("").Replace("{ app: agent } }\n    spec", "{ app: other } }\n    spec", StringComparison.Ordinal))).Message);
    }

    [Fact]
    public void Real_jobs_cronjobs_and_daemonsets_load()
    {
        var pi = Load.Files(TestPaths.Corpus("k8s/website/controllers/job.yaml")).Application!.Services["pi"];
        Assert.Equal((WorkloadKind.Job, 4, RestartCondition.No), (pi.Kind, pi.Job!.BackoffLimit, pi.Template.Restart.Condition));

        var indexed = Load.Files(TestPaths.Corpus("k8s/website/application/job/indexed-job.yaml")).Application!.Services["indexed-job"];
        Assert.Equal((5, 3, CompletionMode.Indexed), (indexed.Job!.Completions, indexed.Job.Parallelism, indexed.Job.CompletionMode));
        Assert.Single(indexed.Template.InitContainers);

        var descheduler = Load.Files(TestPaths.Corpus("k8s/descheduler/cronjob.yaml"));
        Load.AssertValid(descheduler, "descheduler cronjob");
        var cron = descheduler.Application!.Services["descheduler-cronjob.kube-system"];
        Assert.Equal(("*/2 * * * *", ConcurrencyPolicy.Forbid), (cron.Cron!.Schedule, cron.Cron.Concurrency));
        Assert.Equal(RestartCondition.No, cron.Template.Restart.Condition);

        var exporter = Load.Files(TestPaths.Corpus("k8s/kube-prometheus/nodeExporter-daemonset.yaml"));
        Load.AssertValid(exporter, "node-exporter");
        var ds = exporter.Application!.Services["node-exporter.monitoring"];
        Assert.Equal((ReplicationMode.Global, IntOrPercent.Percentage(10)), (ds.Replication.Mode, ds.Update.MaxUnavailable));
        Assert.Equal("linux", ds.Placement.NodeSelector["kubernetes.io/os"]); // Kubernetes' nodeSelector is its own placement field
        Assert.Equal(2, ds.Template.Containers.Count);

        // The website's old CronJob is batch/v1beta1: kept, reported, with the version to use.
        var old = Load.Files(TestPaths.Corpus("k8s/website/application/job/cronjob.yaml"));
        Assert.Contains(old.Warnings, w => w.Code == "k8s.unsupported-version" && w.Message.Contains("use batch/v1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("k8s/website/controllers/job.yaml")]
    [InlineData("k8s/website/controllers/daemonset.yaml")]
    [InlineData("k8s/website/application/job/indexed-job.yaml")]
    [InlineData("k8s/descheduler/cronjob.yaml")]
    [InlineData("k8s/descheduler/job.yaml")]
    [InlineData("k8s/kube-prometheus/nodeExporter-daemonset.yaml")]
    public void Render_is_a_fixed_point(string relative) => RenderRoundTripTests.AssertFixedPoint(Load.Files(TestPaths.Corpus(relative)), relative);

    [Fact]
    public void Every_job_and_cron_field_renders_and_reads_back()
    {
        var yaml = Cron("  schedule: \"CRON_TZ=UTC */5 9-17 * * mon-fri\"\n  concurrencyPolicy: Replace\n  suspend: true\n  startingDeadlineSeconds: 30\n  successfulJobsHistoryLimit: 0\n  failedJobsHistoryLimit: 7")
            .Replace("backoffLimit: 2", "backoffLimit: 2\n      parallelism: 3\n      activeDeadlineSeconds: 60\n      ttlSecondsAfterFinished: 0\n      suspend: true", StringComparison.Ordinal)
            + "\n---\n" + Job("  completions: 4\n  completionMode: Indexed\n" + Pod);
        RenderRoundTripTests.AssertFixedPoint(Load.Yaml("app.yaml", yaml), "all job fields");
    }

    [Fact]
    public void Parallelism_changes_the_service_hash_but_not_the_template()
    {
        var a = Single(Job("  parallelism: 1\n" + Pod));
        var b = Single(Job("  parallelism: 2\n" + Pod));
        Assert.NotEqual(SpecHash.Of(a), SpecHash.Of(b));
        Assert.Equal(SpecHash.OfTemplate(a), SpecHash.OfTemplate(b));
    }
}
