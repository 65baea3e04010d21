using System.Runtime.InteropServices;
using LibGit2Sharp;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// Points LibGit2Sharp at its native libgit2 before first use. Under the JIT the package's
/// runtimes/{rid}/native folder is found through the deps file, but a NativeAOT binary has none: publish puts
/// libgit2-*.so next to the executable, and install.sh copies it to /usr/local/lib/gitops because the binary
/// itself is copied to /usr/local/bin alone. LibGit2Sharp installs its own DllImport resolver (only one is
/// allowed per assembly), so its <see cref="GlobalSettings.NativeLibraryPath"/> is the supported way in.
/// </summary>
internal static class LibGit2Native
{
    /// <summary>Overrides the search: a directory holding libgit2-*.so.</summary>
    public const string EnvironmentVariable = "GITOPS_LIBGIT2_DIR";

    public const string InstallDirectory = "/usr/local/lib/gitops";

    private static readonly Lazy<string?> Configured = new(Configure, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The directory the library is loaded from, or null when LibGit2Sharp's own search is used.</summary>
    public static string? Directory => Configured.Value;

    public static void EnsureConfigured() => _ = Configured.Value;

    /// <summary>Where libgit2 is looked for, in order.</summary>
    public static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) yield return env;
        var exe = Environment.ProcessPath;
        if (exe is not null)
        {
            // The real file, not a symlink to it: /usr/bin/gitops -> /opt/gitops/gitops finds /opt/gitops.
            string real;
            try { real = File.ResolveLinkTarget(exe, returnFinalTarget: true)?.FullName ?? exe; }
            catch (IOException) { real = exe; }
            if (Path.GetDirectoryName(real) is { } dir)
            {
                yield return dir;
                yield return Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
                yield return Path.Combine(dir, "lib");
            }
        }
        yield return AppContext.BaseDirectory;
        yield return InstallDirectory;
        yield return "/usr/lib/gitops";
    }

    private static string? Configure()
    {
        // Under the JIT the deps file already leads LibGit2Sharp to the package's copy; only a binary without
        // one (NativeAOT, or a hand-copied app) needs the search, but doing it always is harmless.
        foreach (var dir in Candidates())
        {
            if (!System.IO.Directory.Exists(dir)) continue;
            string[] found;
            try { found = System.IO.Directory.GetFiles(dir, "libgit2-*.so"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (found.Length == 0) continue;
            try
            {
                GlobalSettings.NativeLibraryPath = dir;
                return dir;
            }
            catch (LibGit2SharpException)
            {
                // Already loaded (someone used LibGit2Sharp first): whatever it found is in use.
                return null;
            }
        }
        return null;
    }
}
