namespace GitOps.Reconciler.Tests;

/// <summary>Locations in the repository, found from the test assembly's folder.</summary>
internal static class TestPaths
{
    public static readonly string Root = FindRoot();

    public static string Corpus(string relative) => Path.Combine(Root, "tests", "corpora", relative);

    public static string Examples(string relative) => Path.Combine(Root, "examples", relative);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GitOps.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("GitOps.sln not found above " + AppContext.BaseDirectory);
    }
}
