using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Validation;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// Reads one Compose file the way compose-go does, before merging: parse, interpolate, validate against the
/// Compose schema, rebase relative paths onto the application root, and pull in <c>include</c>d projects
/// (detecting include cycles). Each file is processed once per load.
/// </summary>
internal sealed class ComposeFileLoader(LoadContext ctx, string rootDir, bool stack)
{
    private readonly Dictionary<string, ComposeSource?> _cache = new(StringComparer.Ordinal);
    private readonly List<string> _including = [];

    public LoadContext Context => ctx;

    public string RootDir => rootDir;

    /// <summary>
    /// Loads <paramref name="file"/>, whose relative paths are relative to <paramref name="baseDir"/>.
    /// Returns null (with diagnostics) when the file cannot be used at all.
    /// </summary>
    public ComposeSource? Load(string file, string baseDir, ComposeEnvironment env, SourceMark referencedFrom = default, string referencePath = "")
    {
        var key = Path.GetFullPath(file) + "|" + Path.GetFullPath(baseDir);
        if (_cache.TryGetValue(key, out var cached)) return cached;
        _cache[key] = null; // a cycle through extends ends here; include cycles are reported below
        var result = LoadUncached(file, baseDir, env, referencedFrom, referencePath);
        _cache[key] = result;
        return result;
    }

    private ComposeSource? LoadUncached(string file, string baseDir, ComposeEnvironment env, SourceMark referencedFrom, string referencePath)
    {
        var docs = ctx.Files.Read(file, referencedFrom, referencePath);
        if (docs is null) return null;
        YMapping? root = null;
        foreach (var doc in docs)
        {
            if (doc.Root is null) continue;
            if (doc.Root is not YMapping map)
            {
                ctx.Diagnostics.Error(doc.Root, $"a Compose file must be a mapping, got {doc.Root.TypeName}", "compose.file");
                continue;
            }
            var interpolated = (YMapping)ComposeInterpolation.Apply(map, env, stack, ctx);
            SchemaValidator.Validate(interpolated, SchemaCatalog.Compose, ctx.Diagnostics);
            var rebased = ComposePaths.RebaseFile(interpolated, baseDir, rootDir);
            // Several documents in one file are merged in order, as compose-go does.
            root = root is null ? rebased : ComposeMerger.MergeFiles(root, rebased);
        }
        if (root is null)
        {
            if (ctx.Files.IsBroken(file)) return null;
            ctx.Diagnostics.Error(new SourceMark(file, 1, 1), "", "empty compose file", "compose.empty");
            return null;
        }
        root = ApplyIncludes(file, root, env);
        return new ComposeSource(file, root, env);
    }

    private YMapping ApplyIncludes(string file, YMapping root, ComposeEnvironment env)
    {
        if (root["include"] is not YSequence includes) return root;
        var full = Path.GetFullPath(file);
        if (_including.Contains(full))
        {
            var chain = string.Join(" -> ", _including.SkipWhile(f => f != full).Append(full).Select(Path.GetFileName));
            ctx.Diagnostics.Error(includes, $"include cycle detected: {chain}", "compose.include-cycle");
            return YTree.Remove(root, "include");
        }
        _including.Add(full);
        try
        {
            var fileDir = Path.GetDirectoryName(full)!;
            foreach (var item in includes.Items)
            {
                List<(string Path, YNode Node)> paths = [];
                string? projectDirectory = null;
                List<string> envFiles = [];
                switch (item)
                {
                    case YScalar { IsNull: false } s:
                        paths.Add((s.Value, s));
                        break;
                    case YMapping m:
                        switch (m["path"])
                        {
                            case YScalar { IsNull: false } p: paths.Add((p.Value, p)); break;
                            case YSequence ps: paths.AddRange(ps.Items.OfType<YScalar>().Select(p => (p.Value, (YNode)p))); break;
                        }
                        if (m["project_directory"] is YScalar { IsNull: false } pd) projectDirectory = pd.Value;
                        envFiles = ctx.Reader.StringList(m["env_file"], allowSingle: true) ?? [];
                        break;
                }
                if (paths.Count == 0) continue;
                var resolved = paths.Select(p => (File: ResolveReference(p.Path, fileDir), p.Node)).ToList();
                if (resolved.Any(r => r.File is null))
                {
                    foreach (var r in resolved.Where(r => r.File is null))
                        ctx.Diagnostics.Error(r.Node, "remote includes are not supported: a revision must be complete in its repository", "compose.remote");
                    continue;
                }
                // Included files, their project directory and env files are read from the revision like the rest.
                resolved = [.. paths.Zip(resolved, (p, r) => ComposePaths.IsRemote(p.Path) ? r : (ctx.Paths.Read(p.Path, fileDir, p.Node.Mark, p.Node.Path, "include"), r.Node))];
                if (resolved.Any(r => r.File is null)) continue;
                var includedDir = projectDirectory is null ? Path.GetDirectoryName(resolved[0].File!)! : ctx.Paths.Read(projectDirectory, fileDir, item.Mark, item.Path, "include project_directory");
                if (includedDir is null) continue;
                var includedEnv = env;
                var envPaths = envFiles.Count > 0
                    ? envFiles.Select(f => ctx.Paths.Read(f, fileDir, item.Mark, item.Path, "include env_file")).OfType<string>().ToList()
                    : [.. new[] { Path.Combine(includedDir, ".env") }.Where(File.Exists).Select(f => ctx.Paths.Read(f, includedDir, item.Mark, item.Path, "include .env")).OfType<string>()];
                foreach (var envFile in envPaths.Where(File.Exists))
                    includedEnv = includedEnv.WithDefaults(ComposeEnvironment.ReadEnvFile(envFile, includedEnv.Lookup, ctx) ?? []);

                YMapping? included = null;
                foreach (var (f, node) in resolved)
                {
                    if (_including.Contains(Path.GetFullPath(f!)))
                    {
                        var chain = string.Join(" -> ", _including.SkipWhile(x => x != Path.GetFullPath(f!)).Append(Path.GetFullPath(f!)).Select(Path.GetFileName));
                        ctx.Diagnostics.Error(node, $"include cycle detected: {chain}", "compose.include-cycle");
                        continue;
                    }
                    var source = Load(f!, includedDir, includedEnv, node.Mark, node.Path);
                    if (source is null) continue;
                    var extended = new ComposeExtends(this).ApplyAll(source);
                    included = included is null ? extended : ComposeMerger.MergeFiles(included, extended);
                }
                if (included is not null) root = Import(root, included, item);
            }
        }
        finally
        {
            _including.Remove(full);
        }
        return YTree.Remove(root, "include");
    }

    /// <summary>Adds an included project's resources; a name defined on both sides is an error, as in compose-go.</summary>
    private YMapping Import(YMapping root, YMapping included, YNode includeItem)
    {
        foreach (var section in new[] { "services", "networks", "volumes", "secrets", "configs" })
        {
            if (included[section] is not YMapping imported) continue;
            var existing = root[section] as YMapping ?? YTree.EmptyMapping(includeItem.Mark, section);
            var entries = new List<YEntry>(existing.Entries);
            foreach (var e in imported.Entries)
            {
                if (existing[e.Key.Value] is { } mine)
                {
                    // The same network or volume declared identically on both sides is fine; services are not.
                    if (section != "services" && mine is YScalar { IsNull: true }) continue;
                    ctx.Diagnostics.Error(mine.Mark, NodePath.Key(section, e.Key.Value), $"{section}.{e.Key.Value} conflicts with imported resource from {e.Key.Mark.File}", "compose.include-conflict");
                    continue;
                }
                entries.Add(e);
            }
            root = YTree.Set(root, section, existing.WithEntries(entries));
        }
        return root;
    }

    /// <summary>A local path for an include or extends reference, or null for a remote one nobody can load.</summary>
    public string? ResolveReference(string reference, string fromDir)
    {
        if (ctx.Options.RemoteLoader is { } remote && remote.Accepts(reference)) return remote.Resolve(reference);
        if (ComposePaths.IsRemote(reference)) return null;
        return ComposePaths.Local(reference, fromDir);
    }
}
