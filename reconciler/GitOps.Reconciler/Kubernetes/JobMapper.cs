using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Reconcile.Jobs;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// Job and CronJob (batch/v1) as run-to-completion services, with the API's defaults and validation: a Job's pods
/// must say restartPolicy Never or OnFailure; completions and parallelism default to 1 (only parallelism given:
/// completions stays unset, a work queue); backoffLimit 6; Indexed needs completions. A CronJob's schedule is
/// checked as kube-controller-manager parses it, its timeZone must be an IANA zone, concurrencyPolicy defaults to
/// Allow and the history limits to 3 successful and 1 failed Job. The selector of a Job is Kubernetes' to make:
/// one written in Git is only accepted with manualSelector: true, and must match the template's labels.
/// </summary>
internal static class JobMapper
{
    /// <summary>Job names become the job-name label on pods, so they obey a label value's 63 characters.</summary>
    public const int MaxJobName = 63;

    /// <summary>A CronJob's Jobs add "-" and 10 digits of minutes to its name.</summary>
    public const int MaxCronJobName = 52;

    private static readonly HashSet<string> Handled =
    [
        "template", "completions", "parallelism", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "completionMode", "suspend",
        "selector", "manualSelector",
    ];

    public static Service? Job(KubeObject obj, YMapping spec, YMapping podSpec, PodTemplateMapper.Result mapped, ValueMap<string> labels, LoadContext ctx)
    {
        if (obj.Name.Length > MaxJobName)
            ctx.Diagnostics.Error(obj.Metadata?["name"] ?? obj.Root, $"a Job's name may have at most {MaxJobName} characters (it becomes the job-name label of its pods), got {obj.Name.Length}", "k8s.job-name");
        var job = Spec(spec, podSpec, ctx);
        CheckSelector(obj, spec, mapped.Template.Labels, ctx);
        return new Service(obj.ModelName, SourceFormat.Kubernetes, WorkloadKind.Job, labels, mapped.Template, Replication.Replicated(0),
            UpdateStrategy.Recreate, null, mapped.Placement, [.. mapped.HostPorts], EndpointMode.Vip, default, null) { Job = job };
    }

    public static Service? CronJob(KubeObject obj, YMapping spec, ValueMap<string> labels, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (obj.Name.Length > MaxCronJobName)
            ctx.Diagnostics.Error(obj.Metadata?["name"] ?? obj.Root, $"a CronJob's name may have at most {MaxCronJobName} characters (its Jobs are named NAME-<11 more>), got {obj.Name.Length}", "k8s.cronjob-name");
        var jobTemplate = r.Mapping(spec["jobTemplate"]);
        var jobSpec = r.Mapping(jobTemplate?["spec"]);
        var templateNode = r.Mapping(jobSpec?["template"]);
        var podSpec = r.Mapping(templateNode?["spec"]);
        if (jobTemplate is null || jobSpec is null || templateNode is null || podSpec is null)
        {
            ctx.Diagnostics.Error((YNode?)templateNode ?? (YNode?)jobSpec ?? (YNode?)jobTemplate ?? spec, $"CronJob '{obj.Name}' needs a pod template (spec.jobTemplate.spec.template.spec)", "k8s.template");
            return null;
        }
        var mapped = PodTemplateMapper.Map(r.Mapping(templateNode["metadata"]), podSpec, new HashSet<string>(), ctx);
        var job = Spec(jobSpec, podSpec, ctx);
        CheckSelector(obj, jobSpec, mapped.Template.Labels, ctx);

        var schedule = r.String(spec["schedule"]) ?? "";
        var timeZone = r.String(spec["timeZone"]);
        if (CronSchedule.TryParse(schedule, timeZone, out var error) is null)
        {
            var at = error!.Contains("time zone", StringComparison.Ordinal) && timeZone is not null ? spec["timeZone"]! : spec["schedule"] ?? spec;
            ctx.Diagnostics.Error(at, error, "k8s.cron-schedule");
        }
        else if (schedule.TrimStart().StartsWith("TZ=", StringComparison.Ordinal) || schedule.TrimStart().StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            ctx.Diagnostics.Warning(spec["schedule"]!, "TZ or CRON_TZ in the schedule is not officially supported by Kubernetes; use spec.timeZone", "k8s.cron-tz");
        }
        var policy = r.String(spec["concurrencyPolicy"]) switch
        {
            null or "Allow" => ConcurrencyPolicy.Allow,
            "Forbid" => ConcurrencyPolicy.Forbid,
            "Replace" => ConcurrencyPolicy.Replace,
            var other => Bad(spec["concurrencyPolicy"]!, "expected one of 'Allow', 'Forbid', 'Replace'", other, ctx, ConcurrencyPolicy.Allow),
        };
        var jobMeta = r.Mapping(jobTemplate["metadata"]);
        var cron = new CronJobSpec(schedule.Trim(), timeZone, policy, r.Bool(spec["suspend"]) ?? false, r.Seconds(spec["startingDeadlineSeconds"]),
            r.Int(spec["successfulJobsHistoryLimit"], 0) ?? CronJobSpec.DefaultSuccessfulJobsHistoryLimit,
            r.Int(spec["failedJobsHistoryLimit"], 0) ?? CronJobSpec.DefaultFailedJobsHistoryLimit,
            new ValueMap<string>(r.StringMap(jobMeta?["labels"]) ?? []), new ValueMap<string>(r.StringMap(jobMeta?["annotations"]) ?? []));
        return new Service(obj.ModelName, SourceFormat.Kubernetes, WorkloadKind.CronJob, labels, mapped.Template, Replication.Replicated(0),
            UpdateStrategy.Recreate, null, mapped.Placement, [.. mapped.HostPorts], EndpointMode.Vip, default, null) { Job = job, Cron = cron };
    }

    /// <summary>A JobSpec with Kubernetes' defaults; errors go to the diagnostics.</summary>
    private static JobSpec Spec(YMapping spec, YMapping podSpec, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var e in spec.Entries)
            if (!Handled.Contains(e.Key.Value)) ctx.Unsupported(e.Key, $"'{e.Key.Value}' is not supported by gitops and is ignored", "k8s.unsupported-field");

        switch (r.String(podSpec["restartPolicy"]))
        {
            case null:
                ctx.Diagnostics.Error(podSpec, "a Job's pods need restartPolicy Never or OnFailure (Always, the default for pods, is not allowed in a Job)", "k8s.job-restart");
                break;
            case "Always":
                ctx.Diagnostics.Error(podSpec["restartPolicy"]!, "expected one of 'OnFailure', 'Never' in a Job (Always is not allowed: a Job's pods run to completion)", "k8s.job-restart");
                break;
        }
        var completionsNode = spec["completions"];
        var parallelismNode = spec["parallelism"];
        var completions = r.Int(completionsNode, 0);
        var parallelism = r.Int(parallelismNode, 0);
        var completionsGiven = completionsNode is not null and not YScalar { IsNull: true };
        var parallelismGiven = parallelismNode is not null and not YScalar { IsNull: true };
        // Kubernetes' defaulting: neither given → both 1; only parallelism → completions stays unset (a work queue).
        if (!completionsGiven && !parallelismGiven) completions = 1;
        var mode = r.String(spec["completionMode"]) switch
        {
            null or "NonIndexed" => CompletionMode.NonIndexed,
            "Indexed" => CompletionMode.Indexed,
            var other => Bad(spec["completionMode"]!, "expected one of 'NonIndexed', 'Indexed'", other, ctx, CompletionMode.NonIndexed),
        };
        if (mode == CompletionMode.Indexed && !completionsGiven)
            ctx.Diagnostics.Error(spec["completionMode"]!, "completions must be given when completionMode is Indexed", "k8s.job-indexed");
        if (mode == CompletionMode.Indexed && completions > 100_000)
            ctx.Diagnostics.Error(completionsNode!, "an Indexed Job may have at most 100000 completions", "k8s.job-indexed");
        return new JobSpec(
            completions,
            parallelism ?? 1,
            r.Int(spec["backoffLimit"], 0) ?? JobSpec.DefaultBackoffLimit,
            r.Seconds(spec["activeDeadlineSeconds"], 1),
            r.Seconds(spec["ttlSecondsAfterFinished"]),
            mode,
            r.Bool(spec["suspend"]) ?? false);
    }

    /// <summary>Kubernetes generates a Job's selector; one written in Git needs manualSelector: true and must match the template.</summary>
    private static void CheckSelector(KubeObject obj, YMapping spec, ValueMap<string> templateLabels, LoadContext ctx)
    {
        var node = spec["selector"];
        if (node is null or YScalar { IsNull: true }) return;
        if (ctx.Reader.Bool(spec["manualSelector"]) != true)
        {
            ctx.Diagnostics.Error(node, "a Job's selector is generated; give one only with manualSelector: true", "k8s.selector");
            return;
        }
        var selector = LabelSelector.Read(node, ctx);
        if (selector is not null && !selector.Matches(templateLabels))
            ctx.Diagnostics.Error(node, $"selector does not match template labels of {obj.Kind} '{obj.Name}'", "k8s.selector-mismatch");
    }

    private static T Bad<T>(YNode node, string expected, string value, LoadContext ctx, T fallback)
    {
        ctx.Diagnostics.Error(node, $"{expected}, got \"{value}\"", "manifest.enum");
        return fallback;
    }
}
