using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

[Collection(EngineCollection.Name)]
public sealed class ImageTests(DaemonFixture d)
{
    [Fact]
    public void Import_from_a_directory_a_tar_and_stdin_gives_the_same_layer()
    {
        var tar = Path.Combine(d.Dir, "bb.tar");
        var made = Gitops.Exec("/bin/tar", null, null, DaemonFixture.Timeout, "-C", d.BusyboxRootfs, "-cf", tar, ".");
        Assert.Equal(0, made.ExitCode);
        d.Ok("image", "import", tar, "from-tar:1");
        var fromStdin = Gitops.Exec("/bin/sh", d.Socket, null, DaemonFixture.Timeout, "-c", $"gzip -c {tar} | {Gitops.Binary} image import - from-stdin:gz");
        Assert.Equal(0, fromStdin.ExitCode);
        Assert.Equal("hi", d.Ok("run", "--rm", "from-tar:1", "echo", "hi"));
        Assert.Equal("hi", d.Ok("run", "--rm", "from-stdin:gz", "echo", "hi"));
        // The same busybox binary is stored once: each image's layer holds it, unpacked once per diff ID.
        var layers = Directory.GetDirectories(Path.Combine(d.Root, "image", "layers"));
        Assert.NotEmpty(layers);
        d.Ok("image", "rm", "from-tar:1", "from-stdin:gz");
    }

    [Fact]
    public void Ls_inspect_tag_and_rm()
    {
        d.Ok("image", "tag", "bb", "bb-alias:v2");
        var ls = d.Ok("image", "ls");
        Assert.Matches(@"^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE", ls);
        Assert.Matches(@"(?m)^bb-alias\s+v2\s+[0-9a-f]{12}\s", ls);
        using var doc = JsonDocument.Parse(d.Ok("image", "inspect", "bb-alias:v2"));
        var img = doc.RootElement[0];
        Assert.StartsWith("sha256:", img.GetProperty("Id").GetString());
        Assert.Contains("bb-alias:v2", img.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("layers", img.GetProperty("RootFS").GetProperty("type").GetString());
        Assert.Equal("linux", d.Ok("image", "inspect", "-f", "{{.Os}}", "bb"));
        Assert.Equal("Untagged: bb-alias:v2", d.Ok("image", "rm", "bb-alias:v2"));
        Assert.Contains("bb:latest", d.Ok("images", "--format", "{{.Repository}}:{{.Tag}}"));
    }

    [Fact]
    public void An_image_in_use_cannot_be_removed_without_force()
    {
        d.Ok("image", "tag", "bb", "bb-used");
        d.Ok("image", "import", d.BusyboxRootfs, "bb-used-own");
        var id = d.Ok("create", "bb-used-own", "true");
        var refused = d.Cli("image", "rm", "bb-used-own");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("image is being used by container " + id[..12], refused.Stderr);
        d.Ok("rm", id);
        Assert.Contains("Deleted: sha256:", d.Ok("image", "rm", "bb-used-own"));
        d.Ok("image", "rm", "bb-used");
    }

    [Fact]
    public void Diff_and_commit_follow_the_writable_layer()
    {
        var id = d.Ok("run", "-d", "bb", "sh", "-c", "echo hi > /newfile; mkdir -p /newdir/sub; echo x > /newdir/sub/f; rm /etc/group; echo more >> /etc/passwd");
        d.Ok("wait", id);
        var diff = d.Ok("container", "diff", id).Split('\n');
        Assert.Contains("A /newfile", diff);
        Assert.Contains("A /newdir", diff);
        Assert.Contains("A /newdir/sub/f", diff);
        Assert.Contains("D /etc/group", diff);
        Assert.Contains("C /etc", diff);
        Assert.Contains("C /etc/passwd", diff);
        Assert.DoesNotContain(diff, l => l.Contains("/proc") || l.Contains("/etc/hosts") || l.Contains("/dev"));

        var image = d.Ok("commit", "-m", "test commit", "-c", "CMD [\"cat\", \"/newfile\"]", id, "committed:1");
        Assert.StartsWith("sha256:", image);
        Assert.Equal("hi", d.Ok("run", "--rm", "committed:1"));
        Assert.NotEqual(0, d.Cli("run", "--rm", "committed:1", "ls", "/etc/group").ExitCode);
        Assert.EndsWith("more", d.Ok("run", "--rm", "committed:1", "cat", "/etc/passwd"));
        using var doc = JsonDocument.Parse(d.Ok("image", "inspect", "committed:1"));
        Assert.Equal(2, doc.RootElement[0].GetProperty("RootFS").GetProperty("diff_ids").GetArrayLength());
        d.Ok("rm", id);
        d.Ok("image", "rm", "committed:1");
    }
}
