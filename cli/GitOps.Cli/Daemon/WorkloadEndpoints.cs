using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Reconcile.Jobs;
using GitOps.Runtime;
using Microsoft.AspNetCore.Builder;

namespace GitOps.Cli.Daemon;

/// <summary>Jobs, CronJobs and DaemonSets of every application, for <c>gitops get jobs|cronjobs|daemonsets</c>.</summary>
internal static class WorkloadEndpoints
{
    public static void Map(WebApplication app, Engine engine, ReconcilerHost host)
    {
        app.MapGet("/workloads/jobs", ctx => ctx.JsonAsync(
            host.Apps.SelectMany(a => WorkloadViews.Jobs(a.Spec.Name, a.Applied, a.Jobs)).ToList(), WorkloadJson.Default.ListJobView));

        app.MapGet("/workloads/cronjobs", ctx => ctx.JsonAsync(
            host.Apps.SelectMany(a => WorkloadViews.CronJobs(a.Spec.Name, a.Applied, a.Jobs)).ToList(), WorkloadJson.Default.ListCronJobView));

        app.MapGet("/workloads/daemonsets", ctx => ctx.JsonAsync(
            host.Apps.SelectMany(a => WorkloadViews.DaemonSets(a.Spec.Name, a.Applied, ActualApp.Read(new GitOps.Reconciler.Ports.Local.LocalEngine(engine), a.Spec.Name))).ToList(), WorkloadJson.Default.ListDaemonSetView));
    }
}
