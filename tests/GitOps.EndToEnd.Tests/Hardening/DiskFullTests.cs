using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Hardening;

/// <summary>
/// A daemon whose root is a 32 MiB tmpfs, filled to the last byte: every write fails with ENOSPC. Requests fail with
/// a message and leave nothing behind (no half-written state, no temporary files, no empty node key); once space is
/// back, the daemon carries on as if nothing happened, and sealed secrets still decrypt.
/// </summary>
public sealed class DiskFullTests(TmpfsRootFixture d) : IClassFixture<TmpfsRootFixture>
{
    string KeyFile => Path.Combine(d.Root, "secrets", "node.key");

    void Fill()
    {
        // Big blocks first, then small ones for the last pages: dd stops at ENOSPC, which is the point.
        Gitops.Exec("/bin/dd", null, null, DaemonFixture.Timeout, "if=/dev/zero", $"of={Path.Combine(d.Root, "filler-1")}", "bs=1M");
        Gitops.Exec("/bin/dd", null, null, DaemonFixture.Timeout, "if=/dev/zero", $"of={Path.Combine(d.Root, "filler-2")}", "bs=4k");
        Gitops.Exec("/bin/dd", null, null, DaemonFixture.Timeout, "if=/dev/zero", $"of={Path.Combine(d.Root, "filler-3")}", "bs=1");
        var df = Gitops.Exec("/bin/df", null, null, DaemonFixture.Timeout, "--output=avail", "-B1", d.Root).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        Assert.Equal("0", df);
    }

    void Free()
    {
        foreach (var f in Directory.GetFiles(d.Root, "filler-*")) File.Delete(f);
    }

    IReadOnlyList<string> TempFiles() =>
        Gitops.Exec("/usr/bin/find", null, null, DaemonFixture.Timeout, d.Root, "(", "-name", "*.tmp", "-o", "-name", ".tmp-*", ")", "-print")
            .Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void A_full_disk_fails_requests_cleanly_and_the_daemon_recovers()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-full"));
        repo.Commit("v1", ("compose.yaml", "services:\n  s:\n    image: bb\n    command: [\"sleep\", \"3600\"]\n"));

        // 1. The first secret ever, on a full disk: the node key cannot be written, and no empty key is left.
        Fill();
        var first = d.CliWithInput("s3cret-one", "secret", "create", "one", "-");
        Assert.NotEqual(0, first.ExitCode);
        Assert.Contains("No space left on device", first.Stderr);
        Assert.False(File.Exists(KeyFile), "a node key was left on a full disk");
        Assert.Empty(TempFiles());
        Free();
        d.Ok(["secret", "create", "one", "-"], "s3cret-one");
        var key = File.ReadAllBytes(KeyFile);
        Assert.Equal(32, key.Length);

        // 2. Full again: a secret, an application and a container all fail with a message and leave nothing.
        var containersBefore = d.Ok("ps", "-aq").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Fill();
        var secret = d.CliWithInput("s3cret-two", "secret", "create", "two", "-");
        Assert.NotEqual(0, secret.ExitCode);
        Assert.Contains("No space left on device", secret.Stderr);
        var app = d.Cli("app", "add", "full", "--repo", repo.Dir, "--branch", "main", "--interval", "1h");
        Assert.NotEqual(0, app.ExitCode);
        Assert.Contains("No space left on device", app.Stderr);
        var create = d.Cli("create", "--name", "full-c", "bb", "true");
        Assert.NotEqual(0, create.ExitCode);
        Assert.Contains("No space left on device", create.Stderr);
        Assert.Equal(key, File.ReadAllBytes(KeyFile));
        Assert.Empty(TempFiles());
        Assert.DoesNotContain("two", d.Ok("secret", "ls"));
        Assert.DoesNotContain("full", d.Ok("app", "ls"));
        Assert.Equal(containersBefore, d.Ok("ps", "-aq").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // 3. Space again: the daemon carries on; the key is the same, secrets decrypt, everything that failed now works.
        Free();
        d.Ok(["secret", "create", "two", "-"], "s3cret-two");
        Assert.Equal(key, File.ReadAllBytes(KeyFile));
        Assert.Equal("s3cret-one s3cret-two", d.Ok("run", "--rm", "--secret", "one", "--secret", "two", "bb", "sh", "-c", "echo $(cat /run/secrets/one) $(cat /run/secrets/two)"));
        d.Ok("app", "add", "full", "--repo", repo.Dir, "--branch", "main", "--interval", "1h");
        Gitops.Eventually(() => d.Ok("ps").Contains("full-s-1"), DaemonFixture.Timeout, "the application to run");
        d.Ok("app", "rm", "--remove-resources", "full");
        d.Ok("create", "--name", "full-c", "bb", "true");
        d.Ok("rm", "full-c");
        Assert.Empty(TempFiles());
    }
}

internal static class FixtureInput
{
    /// <summary>Runs a command with <paramref name="stdin"/> that must succeed.</summary>
    public static string Ok(this DaemonFixture d, string[] args, string stdin)
    {
        var r = d.CliWithInput(stdin, args);
        Assert.True(r.ExitCode == 0, $"gitops {string.Join(' ', args)} failed: {r}");
        return r.Out;
    }
}
