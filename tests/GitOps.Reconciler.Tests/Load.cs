using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Loading;

namespace GitOps.Reconciler.Tests;

/// <summary>Shortcuts for loading manifests from files or from YAML text written by a test.</summary>
internal static class Load
{
    public static LoadResult Files(params string[] paths) => ManifestLoader.Load(paths, new LoadOptions());

    public static LoadResult Files(LoadOptions options, params string[] paths) => ManifestLoader.Load(paths, options);

    /// <summary>Writes <paramref name="files"/> (name → text) into a fresh directory and loads the named ones (or the directory).</summary>
    public static LoadResult Text(IReadOnlyDictionary<string, string> files, LoadOptions? options = null, params string[] load)
    {
        var dir = TempDir();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        var paths = load.Length == 0 ? [dir] : load.Select(l => Path.Combine(dir, l)).ToArray();
        return ManifestLoader.Load(paths, options ?? new LoadOptions());
    }

    public static LoadResult Yaml(string name, string text, LoadOptions? options = null) =>
        Text(new Dictionary<string, string> { [name] = text }, options, name);

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitops-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static Dictionary<string, string> Env(params (string Key, string Value)[] vars) =>
        vars.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    /// <summary>Fails with every diagnostic printed, so a failing corpus test says why.</summary>
    public static void AssertValid(LoadResult result, string what)
    {
        Assert.True(result.Succeeded, what + " should load, but:\n" + string.Join("\n", result.Errors));
        Assert.NotNull(result.Application);
    }

    public static Diagnostic SingleError(LoadResult result)
    {
        Assert.False(result.Succeeded);
        Assert.Null(result.Application);
        var errors = result.Errors.ToList();
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join("\n", errors));
        return errors[0];
    }
}
