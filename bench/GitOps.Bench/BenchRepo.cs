namespace GitOps.Bench;

/// <summary>A Git repository in the scratch directory, changed with the git CLI as a user would.</summary>
internal sealed class BenchRepo
{
    public BenchRepo(string dir)
    {
        Dir = dir;
        Directory.CreateDirectory(dir);
        Git("init", "-q", "-b", "main");
    }

    public string Dir { get; }

    public string Commit(params (string Path, string Content)[] files)
    {
        foreach (var (path, content) in files) File.WriteAllText(Path.Combine(Dir, path), content);
        Git("add", "-A");
        Git("commit", "-q", "-m", "bench");
        return Git("rev-parse", "HEAD").Trim();
    }

    string Git(params string[] args) => Measure.Run("git", ["-C", Dir, "-c", "user.email=bench@example.test", "-c", "user.name=bench", "-c", "commit.gpgsign=false", .. args]);
}
