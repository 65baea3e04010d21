using GitOps.Reconciler.Compose;
using GitOps.Reconciler.Kubernetes;
using GitOps.Reconciler.Rendering;
using GitOps.Reconciler.Validation;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Loading;

/// <summary>
/// The one entry point: loads files and directories of Compose, stack, Kubernetes-style and desired-state
/// manifests into one application, validates all of it and returns either the application or the complete
/// list of what is wrong. Never throws for bad input: an unexpected failure becomes a diagnostic too.
/// </summary>
internal static class ManifestLoader
{
    public static LoadResult Load(IReadOnlyList<string> paths, LoadOptions options)
    {
        var ctx = new LoadContext(options);
        var app = new ApplicationBuilder(ctx);
        try
        {
            LoadInto(paths, app, ctx);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours must not turn into a stack trace for the user, nor into a half-read model.
            ctx.Diagnostics.Error(new SourceMark(paths.Count > 0 ? paths[0] : "", 0, 0), "", $"internal error while loading: {e.GetType().Name}: {e.Message}", "internal");
        }
        var fallbackName = options.Name ?? ComposeProjectLoader.Normalize(NameOf(paths));
        var application = ctx.Diagnostics.HasErrors ? null : app.Build(fallbackName);
        return new LoadResult(application, ctx.Diagnostics.Sorted(), ctx.Sources) { Inputs = ctx.Inputs.Paths };
    }

    private static void LoadInto(IReadOnlyList<string> paths, ApplicationBuilder app, LoadContext ctx)
    {
        if (paths.Count > 0)
        {
            var first = Path.GetFullPath(paths[0]);
            ctx.AppDirectory = Directory.Exists(first) ? first : Path.GetDirectoryName(first);
        }
        var files = ManifestDiscovery.Find(paths, ctx);
        var compose = files.Where(f => f.Kind == ManifestFileKind.Compose).Select(f => f.Path).ToList();
        if (compose.Count > 0)
        {
            var stack = StackDetection.IsStack(compose, ctx);
            if (ComposeProjectLoader.Load(compose, stack, ctx) is { } project)
            {
                app.Name ??= project.Name;
                ComposeMapper.Map(project, app, ctx);
            }
        }
        var objects = new List<KubeObject>();
        foreach (var file in files.Where(f => f.Kind == ManifestFileKind.Kubernetes))
            objects.AddRange(KubeDocumentReader.Read(ctx.Files.Read(file.Path, SourceMark.None, "") ?? [], ctx));
        KubeLoader.Load(objects, app, ctx);
        foreach (var file in files.Where(f => f.Kind == ManifestFileKind.DesiredState))
            foreach (var doc in ctx.Files.Read(file.Path, SourceMark.None, "") ?? [])
                if (doc.Root is YMapping root) DesiredStateReader.Read(root, app, ctx);
                else if (doc.Root is not null) ctx.Diagnostics.Error(doc.Root, "expected a desired-state mapping", "state.document");
        // Rollouts and the templates they use may be in different files, or formats: checked once all are read.
        app.AnalysisReferences.Check(app.AnalysisTemplates, ctx);
        if (ctx.Options.Name is { Length: > 0 } name) app.Name = name;
        SemanticValidator.Check(app, ctx);
        // The policy is judged on the whole application, after everything it asks for is known.
        Policy.PolicyChecker.Check(app, ctx);
    }

    private static string NameOf(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) return "default";
        var full = Path.GetFullPath(paths[0]);
        return Directory.Exists(full) ? Path.GetFileName(full.TrimEnd('/')) : Path.GetFileName(Path.GetDirectoryName(full)) ?? "default";
    }
}
