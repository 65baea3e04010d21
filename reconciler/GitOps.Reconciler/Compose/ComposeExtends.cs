using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// Resolves <c>extends</c>: a service starts from another service (of the same file, or of <c>file:</c>,
/// whose relative paths stay relative to that file) and merges its own keys over it with the merge rules,
/// <c>!reset</c> included. Chains are followed; a cycle is an error naming the whole chain.
/// </summary>
internal sealed class ComposeExtends(ComposeFileLoader loader)
{
    private readonly Dictionary<string, YMapping?> _resolved = new(StringComparer.Ordinal);
    private readonly List<string> _stack = [];

    /// <summary>The source's root with every service's extends resolved.</summary>
    public YMapping ApplyAll(ComposeSource source)
    {
        if (source.Root["services"] is not YMapping services) return source.Root;
        var entries = new List<YEntry>(services.Count);
        foreach (var e in services.Entries)
        {
            var resolved = e.Value is YMapping ? Resolve(source, e.Key.Value) : null;
            entries.Add(resolved is null ? e : e with { Value = resolved });
        }
        return YTree.Set(source.Root, "services", services.WithEntries(entries));
    }

    private YMapping? Resolve(ComposeSource source, string name)
    {
        var id = Path.GetFileName(source.File) + "#" + name;
        var key = Path.GetFullPath(source.File) + "#" + name;
        if (_resolved.TryGetValue(key, out var done)) return done;
        var ctx = loader.Context;
        if ((source.Root["services"] as YMapping)?[name] is not YMapping service) return null;
        if (service["extends"] is not { } extends) return service;

        if (_stack.Contains(key))
        {
            var chain = string.Join(" -> ", _stack.SkipWhile(k => k != key).Select(Display).Append(id));
            ctx.Diagnostics.Error(extends, $"Circular reference in extends: {chain}", "compose.extends-cycle");
            return YTree.Remove(service, "extends");
        }
        _stack.Add(key);
        try
        {
            string? baseName = null;
            ComposeSource? baseSource = source;
            switch (extends)
            {
                case YScalar { IsNull: false } s:
                    baseName = s.Value;
                    break;
                case YMapping m:
                    baseName = (m["service"] as YScalar)?.Value;
                    if (m["file"] is YScalar { IsNull: false } file)
                    {
                        var fromDir = Path.GetDirectoryName(Path.GetFullPath(source.File))!;
                        var local = ComposePaths.IsRemote(file.Value) ? loader.ResolveReference(file.Value, fromDir)
                            : ctx.Paths.Read(file.Value, loader.RootDir, file.Mark, file.Path, "extends file") ?? "";
                        if (local?.Length == 0) return YTree.Remove(service, "extends");
                        if (local is null)
                        {
                            ctx.Diagnostics.Error(file, "remote extends files are not supported: a revision must be complete in its repository", "compose.remote");
                            return YTree.Remove(service, "extends");
                        }
                        baseSource = loader.Load(local, Path.GetDirectoryName(local)!, source.Environment, file.Mark, file.Path);
                    }
                    break;
            }
            if (baseName is null || baseSource is null) return YTree.Remove(service, "extends");
            var baseService = Resolve(baseSource, baseName);
            if (baseService is null)
            {
                if ((baseSource.Root["services"] as YMapping)?[baseName] is null)
                    ctx.Diagnostics.Error(extends, $"cannot extend service '{baseName}': no such service in {Path.GetFileName(baseSource.File)}", "compose.extends");
                return YTree.Remove(service, "extends");
            }
            var merged = ComposeMerger.MergeService(baseService, YTree.Remove(service, "extends"));
            _resolved[key] = merged;
            return merged;
        }
        finally
        {
            _stack.Remove(key);
        }
    }

    private static string Display(string key)
    {
        var hash = key.LastIndexOf('#');
        return Path.GetFileName(key[..hash]) + key[hash..];
    }
}
