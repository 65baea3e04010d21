using System.Text.RegularExpressions;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// Relative paths in Compose files (build contexts, env files, bind mounts, secret and config files) are
/// relative to the project directory, or to their own file for <c>extends</c> and <c>include</c>. They are all
/// rewritten relative to the application's root directory right after reading, so merging files from
/// different directories needs no further care, and the model never contains the checkout's absolute path.
/// </summary>
internal static partial class ComposePaths
{
    /// <summary>Rewrites <paramref name="path"/>, relative to <paramref name="baseDir"/>, as relative to <paramref name="rootDir"/> ("./x/y").</summary>
    public static string Rebase(string path, string baseDir, string rootDir)
    {
        if (!IsRelativeLocal(path)) return path;
        var full = Path.GetFullPath(Path.Combine(baseDir, path));
        var relative = Path.GetRelativePath(rootDir, full);
        if (relative == ".") return ".";
        return relative.StartsWith("../", StringComparison.Ordinal) || relative == ".." ? relative : "./" + relative;
    }

    /// <summary>Resolves a model path (relative to the root) to a file on this machine.</summary>
    public static string Local(string path, string rootDir) =>
        path.StartsWith('~') ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'))
        : Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(rootDir, path));

    public static bool IsRelativeLocal(string path) =>
        path.Length > 0 && !Path.IsPathRooted(path) && !path.StartsWith('~') && !IsRemote(path);

    /// <summary>URLs and other scheme references (git@host:repo, https://..., remote:x); "C:\x" is not one.</summary>
    public static bool IsRemote(string path) => path.Contains("://", StringComparison.Ordinal) || path.StartsWith("git@", StringComparison.Ordinal) || Scheme().IsMatch(path);

    public static YMapping RebaseFile(YMapping root, string baseDir, string rootDir)
    {
        if (root["services"] is YMapping services)
        {
            var changed = new List<YEntry>(services.Count);
            foreach (var e in services.Entries)
                changed.Add(e.Value is YMapping svc ? e with { Value = RebaseService(svc, baseDir, rootDir) } : e);
            root = YTree.Set(root, "services", services.WithEntries(changed));
        }
        foreach (var section in new[] { "secrets", "configs" })
        {
            if (root[section] is not YMapping resources) continue;
            var changed = new List<YEntry>(resources.Count);
            foreach (var e in resources.Entries)
            {
                if (e.Value is YMapping r && r["file"] is YScalar { IsNull: false } file)
                    changed.Add(e with { Value = YTree.Set(r, "file", Rebased(file, baseDir, rootDir)) });
                else changed.Add(e);
            }
            root = YTree.Set(root, section, resources.WithEntries(changed));
        }
        return root;
    }

    private static YMapping RebaseService(YMapping svc, string baseDir, string rootDir)
    {
        switch (svc["build"])
        {
            case YScalar { IsNull: false } context:
                svc = YTree.Set(svc, "build", Rebased(context, baseDir, rootDir));
                break;
            case YMapping build when build["context"] is YScalar { IsNull: false } context:
                svc = YTree.Set(svc, "build", YTree.Set(build, "context", Rebased(context, baseDir, rootDir)));
                break;
        }
        foreach (var key in new[] { "env_file", "label_file" })
        {
            switch (svc[key])
            {
                case YScalar { IsNull: false } one:
                    svc = YTree.Set(svc, key, Rebased(one, baseDir, rootDir));
                    break;
                case YSequence list:
                    svc = YTree.Set(svc, key, list.WithItems([.. list.Items.Select(item => item switch
                    {
                        YScalar { IsNull: false } s => Rebased(s, baseDir, rootDir),
                        YMapping m when m["path"] is YScalar { IsNull: false } p => YTree.Set(m, "path", Rebased(p, baseDir, rootDir)),
                        _ => item,
                    })]));
                    break;
            }
        }
        if (svc["volumes"] is YSequence volumes)
        {
            svc = YTree.Set(svc, "volumes", volumes.WithItems([.. volumes.Items.Select(item => item switch
            {
                YScalar { Kind: ScalarKind.String } s when VolumeSyntax.SourceOf(s.Value) is { } source && IsRelativeLocal(source) && source.StartsWith('.') =>
                    s.WithValue(Rebase(source, baseDir, rootDir) + s.Value[source.Length..], plain: false),
                YMapping m when (m["type"] as YScalar)?.Value == "bind" && m["source"] is YScalar { IsNull: false } src => YTree.Set(m, "source", Rebased(src, baseDir, rootDir)),
                _ => item,
            })]));
        }
        if (svc["security_opt"] is YSequence opts)
            svc = YTree.Set(svc, "security_opt", opts.WithItems([.. opts.Items.Select(item => item is YScalar { IsNull: false } s ? RebasedSeccomp(s, baseDir, rootDir) : item)]));
        if (svc["extends"] is YMapping ext && ext["file"] is YScalar { IsNull: false } extFile && !IsRemote(extFile.Value))
            svc = YTree.Set(svc, "extends", YTree.Set(ext, "file", Rebased(extFile, baseDir, rootDir)));
        return svc;
    }

    /// <summary>"seccomp:profile.json" names a file relative to the file that says it, like every other path.</summary>
    private static YScalar RebasedSeccomp(YScalar s, string baseDir, string rootDir)
    {
        var (key, value) = Policy.SecurityOpts.Split(s.Value);
        if (key != "seccomp" || value is null or "unconfined" or "builtin" || value.TrimStart().StartsWith('{') || !IsRelativeLocal(value)) return s;
        return s.WithValue("seccomp=" + Rebase(value, baseDir, rootDir), plain: false);
    }

    private static YScalar Rebased(YScalar s, string baseDir, string rootDir) =>
        IsRelativeLocal(s.Value) ? s.WithValue(Rebase(s.Value, baseDir, rootDir), plain: false) : s;

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]+:", RegexOptions.CultureInvariant)]
    private static partial Regex Scheme();
}
