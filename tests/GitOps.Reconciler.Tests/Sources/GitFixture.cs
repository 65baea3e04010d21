using System.Diagnostics;

namespace GitOps.Reconciler.Tests.Sources;

/// <summary>
/// Real repositories made with the git CLI in a temporary directory: a working repository ("work") with two
/// branches, an annotated and a lightweight tag, an executable script and a symlink, pushed to a bare repository
/// ("remote.git") that the code under test fetches over file://.
/// </summary>
public sealed class GitFixture : IDisposable
{
    public GitFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "gitops-git-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Root);
        Work = Path.Combine(Root, "work");
        Remote = Path.Combine(Root, "remote.git");
        Cache = Path.Combine(Root, "cache");
        Git(Root, "init", "-q", "-b", "main", Work);
        Write("compose/compose.yaml", "services:\n  web:\n    image: web:1\n");
        Write("compose/run.sh", "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(Work, "compose/run.sh"), (UnixFileMode)0b111_101_101);
        File.CreateSymbolicLink(Path.Combine(Work, "compose/link.yaml"), "compose.yaml");
        First = Commit("First commit\n\nwith a body");
        Git(Work, "tag", "-a", "v1", "-m", "release one");
        Write("compose/compose.yaml", "services:\n  web:\n    image: web:2\n");
        Second = Commit("Second commit");
        Git(Work, "tag", "v2-light");
        Git(Work, "checkout", "-q", "-b", "feature");
        Write("feature.txt", "feature\n");
        Feature = Commit("Feature work");
        Git(Work, "checkout", "-q", "main");
        Git(Root, "clone", "-q", "--bare", Work, Remote);
        Git(Work, "remote", "add", "origin", Remote);
    }

    public string Root { get; }

    public string Work { get; }

    public string Remote { get; }

    public string RemoteUrl => "file://" + Remote;

    public string Cache { get; }

    public string First { get; }

    public string Second { get; }

    public string Feature { get; }

    public void Write(string relative, string content)
    {
        var path = Path.Combine(Work, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>Commits everything in the work tree and returns the new commit id.</summary>
    public string Commit(string message)
    {
        Git(Work, "add", "-A");
        Git(Work, "commit", "-q", "-m", message);
        return Git(Work, "rev-parse", "HEAD");
    }

    /// <summary>Commits a change on main and pushes it to the bare remote.</summary>
    public string PushNewCommit(string message)
    {
        Write("compose/changes.txt", message + "\n");
        var id = Commit(message);
        Git(Work, "push", "-q", "origin", "main");
        return id;
    }

    public static string Git(string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Fixed identity and dates, and no user or system config that could change what git does.
        psi.Environment["GIT_AUTHOR_NAME"] = "Ada Lovelace";
        psi.Environment["GIT_AUTHOR_EMAIL"] = "ada@example.org";
        psi.Environment["GIT_COMMITTER_NAME"] = "Ada Lovelace";
        psi.Environment["GIT_COMMITTER_EMAIL"] = "ada@example.org";
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {stderr}");
        return stdout.Result.Trim();
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
