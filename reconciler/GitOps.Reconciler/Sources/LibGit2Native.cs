using LibGit2Sharp;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// Makes sure LibGit2Sharp finds its native libgit2 in the NativeAOT binary. Under the JIT the package's
/// runtimes/{rid}/native folder is found through the deps file; a NativeAOT binary has none and probes only its
/// own directory, where publish puts <c>libgit2-&lt;hash&gt;.so</c>. A binary copied elsewhere alone (install.sh
/// copies it to /usr/local/bin) needs another way in: LibGit2Sharp installs its own DllImport resolver (only one
/// is allowed per assembly), and that resolver loads <c>{GlobalSettings.NativeLibraryPath}/git2-&lt;hash&gt;.so</c>,
/// without the "lib" prefix (verified with 0.32.0). So install.sh puts the library in /usr/local/lib/gitops
/// under both names, and this points <see cref="GlobalSettings.NativeLibraryPath"/> at the first directory
/// holding a <c>git2-*.so</c>.
/// </summary>
internal static class LibGit2Native
{
    /// <summary>Overrides the search: a directory holding git2-&lt;hash&gt;.so.</summary>
    public const string EnvironmentVariable = "GITOPS_LIBGIT2_DIR";

    public const string InstallDirectory = "/usr/local/lib/gitops";

    private static readonly Lazy<string?> Configured = new(Configure, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The directory given to LibGit2Sharp, or null when its own search is used (JIT, or the library next to the binary).</summary>
    public static string? Directory => Configured.Value;

    public static void EnsureConfigured() => _ = Configured.Value;

    /// <summary>Where a git2-*.so is looked for, in order.</summary>
    public static IEnumerable<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) yield return env;
        if (Environment.ProcessPath is { } exe)
        {
            // The real file, not a symlink to it: /usr/bin/gitops -> /opt/gitops/gitops finds /opt/gitops.
            string real;
            try { real = File.ResolveLinkTarget(exe, returnFinalTarget: true)?.FullName ?? exe; }
            catch (IOException) { real = exe; }
            if (Path.GetDirectoryName(real) is { } dir)
            {
                yield return dir;
                yield return Path.Combine(dir, "lib");
            }
        }
        yield return InstallDirectory;
        yield return "/usr/lib/gitops";
    }

    /// <summary>What to tell the user when libgit2 cannot be loaded.</summary>
    public static string MissingMessage(Exception e) =>
        $"the native libgit2 library cannot be loaded ({Innermost(e).Message.Split('\n')[0]}): install gitops with install.sh, which puts it in {InstallDirectory}, " +
        $"or keep the libgit2-*.so from the publish output next to the gitops binary, or set {EnvironmentVariable} to a directory holding git2-<hash>.so";

    /// <summary>True for the exceptions a missing or unloadable libgit2 surfaces as.</summary>
    public static bool IsLoadFailure(Exception e) =>
        e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException
        || (e is TypeInitializationException && Innermost(e) is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner) e = inner;
        return e;
    }

    private static string? Configure()
    {
        foreach (var dir in Candidates())
        {
            string[] found;
            try { found = System.IO.Directory.Exists(dir) ? System.IO.Directory.GetFiles(dir, "git2-*.so") : []; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (found.Length == 0) continue;
            try
            {
                GlobalSettings.NativeLibraryPath = dir;
                return dir;
            }
            catch (LibGit2SharpException)
            {
                // Already loaded (LibGit2Sharp was used first): whatever it found is in use.
                return null;
            }
        }
        // Nothing installed under LibGit2Sharp's name: the JIT's deps file or the NativeAOT binary's own
        // directory (publish output, libgit2-<hash>.so) does the job.
        return null;
    }
}
