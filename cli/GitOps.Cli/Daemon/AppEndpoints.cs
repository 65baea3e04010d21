using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Reconcile.Outcomes;
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

        // A saved application that cannot be loaded is listed (status Invalid, with the reason) so it is seen and can be removed.
        AppView BrokenView(BrokenApp b) => new(
            new AppSpec(b.Name, new AppSource(SourceKind.Local, "(unreadable record in apps.json)", null, null, null, null), [], AppSchedule.Default, AppPolicy.Default, null),
            new AppStatus { Name = b.Name, Sync = SyncState.Invalid, Message = "cannot load this application: " + b.Error }, "cli");

        app.MapGet("/apps", ctx => ctx.JsonAsync(host.Apps.Select(View).Concat(host.Broken.Select(BrokenView)).OrderBy(v => v.Spec.Name, StringComparer.Ordinal).ToList(),
            AppJson.Default.ListAppView));

        app.MapGet("/apps/{name}", ctx =>
        {
            var name = ctx.Route("name");
            return host.Broken.FirstOrDefault(b => b.Name == name) is { } broken
                ? ctx.JsonAsync(BrokenView(broken), AppJson.Default.AppView)
                : ctx.JsonAsync(View(host.Get(name)), AppJson.Default.AppView);
        });

        app.MapPost("/apps", async ctx =>
        {
            var spec = await ctx.ReadJsonAsync(AppJson.Default.AppSpec);
            // Checked whole before anything is registered or written: a refused request leaves nothing behind.
            var errors = GitOps.Reconciler.Configuration.AppSpecChecks.Problems(spec);
            if (errors.Count > 0) throw new InvalidArgumentException("invalid application: " + string.Join("; ", errors));
            // "config" is the daemon's own file: a request may not claim it (the app could then never be removed).
            var origin = ctx.Query("origin") ?? "cli";
            if (origin is not ("cli" or "compose" or "stack" or "apply"))
                throw new InvalidArgumentException($"invalid origin \"{(origin.Length > 32 ? origin[..32] + "…" : origin)}\": expected cli, compose, stack or apply");
            var a = await host.AddAsync(spec, origin, wait: ctx.QueryBool("wait", true), ctx.RequestAborted);
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
