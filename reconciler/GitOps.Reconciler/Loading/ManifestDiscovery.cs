using GitOps.Reconciler.Compose;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Loading;

/// <summary>
/// Finds the manifests named by the user's paths. A file is taken as given. A directory is read like
/// <c>docker compose</c> and <c>kubectl apply -f</c> together: its Compose project (COMPOSE_FILE, or
/// compose.yaml / docker-compose.yml plus the matching override file), and every other .yaml/.yml/.json
/// file's documents. Other Compose-looking files in a directory that has a project are alternatives
/// (docker-stack.yml next to docker-compose.yml), skipped with a warning; pass them explicitly.
/// </summary>
internal static class ManifestDiscovery
{
    private static readonly string[] StandardNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

    public static List<ManifestFile> Find(IReadOnlyList<string> paths, LoadContext ctx)
    {
        var result = new List<ManifestFile>();
        foreach (var given in paths)
        {
            // An application path that is (or passes through) a symlink out of the tree would load the host's files.
            if (ctx.Paths.Root is { } root && ctx.Paths.Read(given, root, new SourceMark(given, 0, 0), "", "path") is null) continue;
            var path = given;
            if (System.IO.Directory.Exists(path))
            {
                var before = result.Count;
                Scan(path, top: true, result, ctx);
                if (result.Count == before)
                    ctx.Diagnostics.Warning(new SourceMark(path, 0, 0), "", ctx.Options.Recursive ? "no manifests found" : "no manifests found (-R also looks into subdirectories)", "discovery.empty");
            }
            else if (File.Exists(path)) result.Add(new ManifestFile(path, Classify(path, explicitFile: true, ctx) ?? ManifestFileKind.Kubernetes));
            else ctx.Diagnostics.Error(new SourceMark(path, 0, 0), "", "no such file or directory", "file.missing");
        }
        return result;
    }

    private static void Scan(string dir, bool top, List<ManifestFile> result, LoadContext ctx)
    {
        var files = System.IO.Directory.GetFiles(dir)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && Path.GetExtension(f) is ".yaml" or ".yml" or ".json")
            .Where(f => Confined(f, ctx))
            .Order(StringComparer.Ordinal).ToList();
        var project = top ? ProjectFiles(dir, files, ctx) : [];
        foreach (var f in project) result.Add(new ManifestFile(f, ManifestFileKind.Compose));
        var loose = new List<string>();
        foreach (var file in files)
        {
            if (project.Contains(file, StringComparer.Ordinal)) continue;
            var kind = Classify(file, explicitFile: false, ctx);
            switch (kind)
            {
                case null: continue;
                case ManifestFileKind.Compose: loose.Add(file); break;
                default: result.Add(new ManifestFile(file, kind.Value)); break;
            }
        }
        if (top && project.Count == 0 && loose.Count == 1)
            result.Add(new ManifestFile(loose[0], ManifestFileKind.Compose));
        else
            foreach (var file in loose)
                ctx.Diagnostics.Warning(new SourceMark(file, 1, 1), "", top
                    ? "skipped: looks like a Compose file but is not this directory's project file; name it explicitly to load it"
                    : "skipped: Compose files are only read from the directory given, not its subdirectories; name it explicitly to load it", "discovery.skipped");
        if (ctx.Options.Recursive)
            foreach (var sub in System.IO.Directory.GetDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.') && Confined(d, ctx)).Order(StringComparer.Ordinal))
                Scan(sub, top: false, result, ctx);
    }

    /// <summary>COMPOSE_FILE (environment, then the directory's .env), else the first standard name and its override.</summary>
    private static List<string> ProjectFiles(string dir, List<string> files, LoadContext ctx)
    {
        if (ctx.Options.Format == ManifestFormat.Kubernetes) return [];
        var composeFile = ctx.Options.Lookup("COMPOSE_FILE");
        var separator = ctx.Options.Lookup("COMPOSE_PATH_SEPARATOR");
        var dotEnv = Path.Combine(dir, ".env");
        if (composeFile is null && File.Exists(dotEnv) && (ctx.Paths.Root is null || ctx.Paths.Read(dotEnv, dir, new SourceMark(dotEnv, 0, 0), "", ".env") is not null))
        {
            ctx.Inputs.Add(dotEnv);
            try
            {
                var entries = DotEnv.Parse(File.ReadAllText(dotEnv), ctx.Options.Lookup);
                composeFile = entries.LastOrDefault(e => e.Key == "COMPOSE_FILE")?.Value;
                separator ??= entries.LastOrDefault(e => e.Key == "COMPOSE_PATH_SEPARATOR")?.Value;
            }
            catch (Exception e) when (e is DotEnvException or IOException or UnauthorizedAccessException)
            {
                // Reported when the project loads its environment; discovery just falls back to the standard names.
            }
        }
        if (!string.IsNullOrEmpty(composeFile))
            return [.. composeFile.Split(separator is { Length: > 0 } ? separator : ":", StringSplitOptions.RemoveEmptyEntries).Select(f => Path.Combine(dir, f))];
        foreach (var name in StandardNames)
        {
            var main = Path.Combine(dir, name);
            if (!files.Contains(main, StringComparer.Ordinal)) continue; // missing, or refused as a link out of the tree
            var stem = name[..name.LastIndexOf('.')];
            var overrides = new[] { ".override.yaml", ".override.yml" }.Select(ext => Path.Combine(dir, stem + ext)).Where(f => files.Contains(f, StringComparer.Ordinal)).Take(1);
            return [main, .. overrides];
        }
        return [];
    }

    /// <summary>A file or directory found in a directory: a symlink out of the revision's tree is reported and skipped.</summary>
    private static bool Confined(string path, LoadContext ctx) =>
        ctx.Paths.Root is null || ctx.Paths.Read(path, ctx.Paths.Root, new SourceMark(path, 0, 0), "", "manifest") is not null;

    /// <summary>What a file holds, judged by its first non-empty document; null for an empty file found in a directory.</summary>
    public static ManifestFileKind? Classify(string file, bool explicitFile, LoadContext ctx)
    {
        switch (ctx.Options.Format)
        {
            case ManifestFormat.Compose or ManifestFormat.Stack: return ManifestFileKind.Compose;
            case ManifestFormat.Kubernetes: return ManifestFileKind.Kubernetes;
        }
        var docs = ctx.Files.Read(file, SourceMark.None, "");
        var first = docs?.FirstOrDefault(d => d.Root is not null)?.Root;
        if (first is null)
        {
            var name = Path.GetFileName(file);
            if (name.Contains("compose", StringComparison.OrdinalIgnoreCase) || name.Contains("stack", StringComparison.OrdinalIgnoreCase)) return ManifestFileKind.Compose;
            return explicitFile ? ManifestFileKind.Kubernetes : null;
        }
        if (first is YMapping map)
        {
            if ((map["apiVersion"] as YScalar)?.Value == Rendering.DesiredStateFormat.ApiVersion) return ManifestFileKind.DesiredState;
            if (map["kind"] is null && map["apiVersion"] is null && map.Keys.Any(IsComposeKey)) return ManifestFileKind.Compose;
        }
        return ManifestFileKind.Kubernetes;
    }

    private static bool IsComposeKey(string key) =>
        key is "services" or "networks" or "volumes" or "secrets" or "configs" or "include" or "version" or "name" or "models" || key.StartsWith("x-", StringComparison.Ordinal);

    public static bool IsStackFile(string file) => Path.GetFileName(file).Contains("stack", StringComparison.OrdinalIgnoreCase);
}
