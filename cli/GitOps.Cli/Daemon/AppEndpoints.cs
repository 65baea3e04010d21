using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile;
using GitOps.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace GitOps.Cli.Daemon;

/// <summary>The reconciler's API: applications, sync, diff, history, rollback and drift.</summary>
internal static class AppEndpoints
{
    public static void Map(WebApplication app, ReconcilerHost host)
    {
        AppView View(AppController a) => new(a.Spec, a.Status, host.Origin(a.Spec.Name)) { Policy = a.SecurityPolicy };

        app.MapGet("/apps", ctx => ctx.JsonAsync(host.Apps.Select(View).ToList(), AppJson.Default.ListAppView));

        app.MapGet("/apps/{name}", ctx => ctx.JsonAsync(View(host.Get(ctx.Route("name"))), AppJson.Default.AppView));

        app.MapPost("/apps", async ctx =>
        {
            var spec = await ctx.ReadJsonAsync(AppJson.Default.AppSpec);
            var errors = new List<string>();
            if (!GitOps.Reconciler.Configuration.AppSpecValidator.IsValidName(spec.Name))
                errors.Add($"invalid application name \"{spec.Name}\": expected lower-case letters, digits, '-', '_' or '.', starting with a letter or digit");
            foreach (var r in new[] { spec.Source.Branch, spec.Source.Tag }.OfType<string>())
                if (GitOps.Reconciler.Configuration.AppSpecValidator.RefNameProblem(r) is { } problem) errors.Add($"invalid ref \"{r}\": {problem}");
            if (new[] { spec.Source.Branch, spec.Source.Tag, spec.Source.Revision }.Count(x => x is not null) > 1)
                errors.Add("give at most one of --branch, --tag and --revision");
            if (errors.Count > 0) throw new InvalidArgumentException(string.Join("\n", errors));
            var a = await host.AddAsync(spec, ctx.Query("origin") ?? "cli", wait: ctx.QueryBool("wait", true), ctx.RequestAborted);
            await ctx.JsonAsync(View(a), AppJson.Default.AppView, 201);
        });

        app.MapDelete("/apps/{name}", async ctx =>
        {
            await host.RemoveAsync(ctx.Route("name"), ctx.QueryBool("resources"), ctx.QueryBool("volumes"), ctx.RequestAborted);
            await ctx.NoContent();
        });

        app.MapPost("/apps/{name}/sync", async ctx =>
        {
            var name = ctx.Route("name");
            await host.SyncAsync(name, ctx.Query("revision"), SyncTrigger.Manual, ctx.RequestAborted);
            await ctx.JsonAsync(View(host.Get(name)), AppJson.Default.AppView);
        });

        app.MapGet("/apps/{name}/diff", async ctx =>
        {
            var a = host.Get(ctx.Route("name"));
            var d = await a.DiffAsync(host.NextCycle(), ctx.Query("revision"), ctx.RequestAborted);
            await ctx.JsonAsync(new DiffResponse(d.Revision, d.Plan.Steps.Select(s => s.Describe()).ToList(), d.Plan.Warnings,
                d.Plan.Steps.Select(s => s.DataLoss).OfType<string>().ToList(), d.UnifiedDiff, d.Errors), AppJson.Default.DiffResponse);
        });

        app.MapGet("/apps/{name}/history", ctx => ctx.JsonAsync(host.Get(ctx.Route("name")).History().ToList(), AppJson.Default.ListHistoryEntry));

        app.MapPost("/apps/{name}/rollback", async ctx =>
        {
            var name = ctx.Route("name");
            await host.RollbackAsync(name, ctx.Query("revision"), ctx.RequestAborted);
            await ctx.JsonAsync(View(host.Get(name)), AppJson.Default.AppView);
        });

        app.MapGet("/drift", ctx => ctx.JsonAsync(host.Apps.Select(a => a.Drift ?? new DriftReport(a.Spec.Name, a.Status.Revision, DateTimeOffset.UtcNow, a.Spec.Policy.Heals ? "heal" : "report", [])).ToList(),
            AppJson.Default.ListDriftReport));
    }
}
