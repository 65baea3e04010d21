using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Loading;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>Maps a loaded Compose project (or stack) into the application being built.</summary>
internal static class ComposeMapper
{
    public static void Map(ComposeProject project, ApplicationBuilder app, LoadContext ctx)
    {
        ComposeConsistency.Check(project, ctx);
        ResourceMapper.Map(project, app, ctx);
        if (project.Root["x-analysis-templates"] is { } templates) ComposeRolloutReader.Templates(templates, app, ctx);
        foreach (var e in ctx.Reader.Mapping(project.Root["services"])?.Entries ?? [])
        {
            if (e.Value is not YMapping svc) continue;
            ctx.Sources.Add(SourceMap.Service(e.Key.Value), e.Key);
            Service service;
            using (ctx.Sources.For(e.Key.Value))
            {
                service = ServiceMapper.Map(e.Key.Value, svc, project, ctx);
                if (svc["x-rollout"] is { } rollout) service = ComposeRolloutReader.Apply(service, rollout, app.AnalysisReferences, ctx);
            }
            app.Add(service, e.Key);
            if (service.Template.Networks.Any(n => n.Network == "default"))
                app.AddImplicit(ResourceMapper.DefaultNetwork("default", project.Stack));
        }
        foreach (var key in project.Root.Keys)
        {
            if (key is "services" or "networks" or "volumes" or "secrets" or "configs" or "name" or "version" or "include" || key.StartsWith("x-", StringComparison.Ordinal)) continue;
            ctx.Unsupported(project.Root.Entry(key)!.Key, $"top-level '{key}' is not supported by gitops", "compose.unsupported-field", " and is ignored");
        }
        if (project.Root["version"] is { } version)
            ctx.Diagnostics.Warning(version, "'version' is obsolete and ignored", "compose.version");
    }
}
