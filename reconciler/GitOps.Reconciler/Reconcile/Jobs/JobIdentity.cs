using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>What makes two Job runs the same run, and what each pod of a run is made of.</summary>
internal static class JobIdentity
{
    /// <summary>
    /// A run is its pod template (the service hash, which covers the digests of secrets, configs and files it reads)
    /// plus completions and completion mode. Parallelism, suspend, the deadline, backoffLimit and the TTL may change
    /// under a run without starting another, as Kubernetes lets them change on a live Job.
    /// </summary>
    public static string RunHash(DesiredService svc)
    {
        var job = svc.Spec.Job ?? JobSpec.Default;
        var text = $"{svc.Hash}\ncompletions={job.Completions?.ToString(CultureInfo.InvariantCulture) ?? "unset"}\nmode={job.CompletionMode}";
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// One pod of run <paramref name="run"/> as a one-replica service for the <see cref="Compiler"/>: named after the
    /// Job (PROJECT-JOB-N), labelled as Kubernetes labels a Job's pods, told its completion index when Indexed, and
    /// never restarted by the engine — the job controller restarts or replaces failed pods, with its back-off.
    /// </summary>
    public static DesiredService PodService(DesiredService svc, JobRecord run, int? index)
    {
        var t = svc.Spec.Template;
        var labels = new Dictionary<string, string>(t.Labels, StringComparer.Ordinal)
        {
            [JobLabels.JobName] = run.Name,
            [JobLabels.LegacyJobName] = run.Name,
        };
        if (svc.Spec.Cron is not null) labels[JobLabels.CronJob] = svc.Name;
        if (svc.Spec.Cron?.JobLabels is { IsEmpty: false } jobLabels)
            foreach (var (k, v) in jobLabels) labels.TryAdd(k, v);
        var containers = t.Containers;
        var init = t.InitContainers;
        if (index is { } i)
        {
            var value = i.ToString(CultureInfo.InvariantCulture);
            labels[JobLabels.CompletionIndex] = value;
            var env = new EnvVar(JobLabels.CompletionIndexEnv, value, null);
            containers = [.. containers.Select(c => c with { Env = [.. c.Env.Where(e => e.Name != env.Name), env] })];
            init = [.. init.Select(c => c with { Env = [.. c.Env.Where(e => e.Name != env.Name), env] })];
        }
        var template = t with { Labels = new ValueMap<string>(labels), Containers = containers, InitContainers = init, Restart = RestartPolicy.Never };
        return svc with { Name = run.Name, Hash = run.Hash, Replicas = 1, FirstOrdinal = 1, HasHealthCheck = false, Spec = svc.Spec with { Template = template } };
    }
}
