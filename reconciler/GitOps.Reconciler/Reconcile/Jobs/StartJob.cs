namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>
/// Starts a run of a Job: the Job is new, or its template, completions or completion mode changed in Git. Kubernetes
/// refuses to change a Job's template; gitops does what Argo CD users get with Replace: the previous run's pods go
/// (running or not) and a new run starts. An unchanged Job that completed never gets this step again.
/// </summary>
internal sealed record StartJob(DesiredService Service, string Hash, JobRecord? Previous) : PlanStep("job", Service.Name)
{
    public override string Describe()
    {
        var job = Service.Spec.Job!;
        var shape = job.Completions is { } c ? $"{c} completion{(c == 1 ? "" : "s")}" : "work queue";
        var what = Previous is null ? "start" : $"the spec changed: replace the {Previous.Phase.ToString().ToLowerInvariant()} run (its pods are removed) with a new one";
        return $"job {Service.Name}: {what} ({shape}, parallelism {job.Parallelism}{(job.Suspend ? ", suspended" : "")})";
    }
}

/// <summary>Plans the Job runs a revision needs; everything else about Jobs is the job controller's business between syncs.</summary>
internal static class JobPlanner
{
    public static Plan Extend(Plan plan, DesiredApp desired, JobStore store)
    {
        var steps = new List<PlanStep>();
        foreach (var svc in desired.Services.Where(s => s.Spec.Kind == Model.WorkloadKind.Job).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var hash = JobIdentity.RunHash(svc);
            var run = store.Job(svc.Name);
            if (run is null || run.Hash != hash) steps.Add(new StartJob(svc, hash, run));
        }
        return steps.Count == 0 ? plan : plan with { Steps = [.. plan.Steps, .. steps] };
    }
}
