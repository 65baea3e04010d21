using System.Text.RegularExpressions;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// Loads a Compose project from one or more files (merged in order, like <c>-f a -f b</c>): environment and
/// <c>.env</c>, each file read and validated, extends and includes applied, files merged, <c>!reset</c> applied,
/// and services outside the active profiles removed.
/// </summary>
internal static partial class ComposeProjectLoader
{
    public static ComposeProject? Load(IReadOnlyList<string> files, bool stack, LoadContext ctx)
    {
        var projectDir = Path.GetDirectoryName(Path.GetFullPath(files[0]))!;
        var env = ComposeEnvironment.Create(projectDir, ctx.Options.Environment, ctx.Options.EnvFiles, ctx);
        var loader = new ComposeFileLoader(ctx, projectDir, stack);
        var extends = new ComposeExtends(loader);
        YMapping? merged = null;
        foreach (var file in files)
        {
            var source = loader.Load(file, projectDir, env);
            if (source is null) continue;
            var resolved = extends.ApplyAll(source);
            merged = merged is null ? resolved : ComposeMerger.MergeFiles(merged, resolved);
        }
        if (merged is null) return null;
        merged = (YMapping)ComposeMerger.Finish(merged);
        var (filtered, disabled) = ApplyProfiles(merged, env, ctx);
        var name = ProjectName(filtered, projectDir, env, ctx);
        return new ComposeProject(name, filtered, projectDir, env, stack, disabled);
    }

    private static (YMapping Root, Dictionary<string, IReadOnlyList<string>> Disabled) ApplyProfiles(YMapping root, ComposeEnvironment env, LoadContext ctx)
    {
        var disabled = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (root["services"] is not YMapping services) return (root, disabled);
        var active = new HashSet<string>(ctx.Options.Profiles, StringComparer.Ordinal);
        foreach (var p in (env.Lookup("COMPOSE_PROFILES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) active.Add(p);
        var kept = new List<YEntry>();
        foreach (var e in services.Entries)
        {
            var profiles = e.Value is YMapping svc ? ctx.Reader.StringList(svc["profiles"]) ?? [] : [];
            if (profiles.Count == 0 || active.Contains("*") || profiles.Any(active.Contains)) kept.Add(e);
            else disabled[e.Key.Value] = profiles;
        }
        return (YTree.Set(root, "services", services.WithEntries(kept)), disabled);
    }

    private static string ProjectName(YMapping root, string projectDir, ComposeEnvironment env, LoadContext ctx)
    {
        if (ctx.Options.Name is { Length: > 0 } explicitName) return explicitName;
        if (root["name"] is YScalar { IsNull: false } name)
        {
            if (!ValidName().IsMatch(name.Value))
                ctx.Diagnostics.Error(name, $"project name \"{name.Value}\" must contain only lowercase letters, digits, dashes and underscores, and start with a letter or digit", "compose.name");
            return name.Value;
        }
        if (env.Lookup("COMPOSE_PROJECT_NAME") is { Length: > 0 } fromEnv) return Normalize(fromEnv);
        return Normalize(Path.GetFileName(projectDir));
    }

    /// <summary>Compose's normalisation of a directory name: lower case, only [a-z0-9_-], starting with a letter or digit.</summary>
    public static string Normalize(string name)
    {
        var cleaned = new string([.. name.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')]).TrimStart('_', '-');
        return cleaned.Length > 0 ? cleaned : "default";
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();
}
