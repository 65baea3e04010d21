using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Security;

/// <summary>
/// The probe (probe.c), compiled once per test run with gcc -static into a directory that tests
/// bind-mount read-only at /p. gcc and libc6-dev are install.sh's packages.
/// </summary>
internal static class Probe
{
    static readonly Lazy<string> Built = new(Build);

    /// <summary>The directory holding the static "probe" binary.</summary>
    public static string Dir => Built.Value;

    /// <summary>-v flag that makes the probe /p/probe in a container.</summary>
    public static string[] Volume => ["-v", $"{Dir}:/p:ro"];

    static string Build()
    {
        var dir = Directory.CreateTempSubdirectory("gitops-probe-").FullName;
        var source = Path.Combine(Gitops.RepoRoot, "tests", "GitOps.EndToEnd.Tests", "Security", "probe.c");
        Assert.True(File.Exists("/usr/bin/gcc"), "the security tests build a static probe with gcc (install.sh installs gcc and libc6-dev)");
        var r = Gitops.Exec("/usr/bin/gcc", null, null, TimeSpan.FromMinutes(2), "-static", "-O1", "-Wall", "-o", Path.Combine(dir, "probe"), source);
        Assert.True(r.ExitCode == 0, $"gcc -static probe.c failed: {r}");
        return dir;
    }

    /// <summary>probe syscalls' lines as NAME → ok | ERRNO-NAME.</summary>
    public static Dictionary<string, string> Results(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

    /// <summary>Runs the probe on the host (outside any container).</summary>
    public static string OnHost(params string[] args) =>
        Gitops.Exec(Path.Combine(Dir, "probe"), null, null, TimeSpan.FromSeconds(30), args).Out;
}
