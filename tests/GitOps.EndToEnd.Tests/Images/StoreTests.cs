using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Images;

[Collection(EngineCollection.Name)]
public sealed class StoreTests(DaemonFixture d)
{
    string BuildContext(string dockerfile)
    {
        var dir = Path.Combine(d.Dir, "store-ctx-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), dockerfile);
        File.WriteAllText(Path.Combine(dir, "f"), "file\n");
        return dir;
    }

    [Fact]
    public void History_ls_and_rm_follow_the_build_steps()
    {
        var ctx = BuildContext($"FROM bb\nRUN echo {Guid.NewGuid()} > /x\nENV A=1\nCOPY f /f\n");
        d.Ok("build", "-t", "steps:1", ctx);
        var history = d.Ok("image", "history", "--no-trunc", "steps:1").Split('\n');
        Assert.Matches(@"^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT", history[0]);
        Assert.Equal(5, history.Length); // header, COPY, ENV, RUN, bb's import
        Assert.StartsWith(d.Ok("image", "inspect", "-f", "{{.Id}}", "steps:1"), history[1]);
        Assert.Contains("COPY", history[1]);
        Assert.Matches(@"ENV A=1\s+0B", history[2]);
        Assert.Matches(@"^sha256:[0-9a-f]{64}\s", history[3]); // the RUN step's intermediate image
        Assert.Contains("gitops image import", history[4]);

        // The intermediate images hide behind the tagged one, and go with it.
        var ls = d.Ok("image", "ls");
        var all = d.Ok("image", "ls", "-a");
        Assert.True(all.Split('\n').Count(l => l.StartsWith("<none>", StringComparison.Ordinal)) >= 1 + ls.Split('\n').Count(l => l.StartsWith("<none>", StringComparison.Ordinal)));
        var removed = d.Ok("image", "rm", "steps:1").Split('\n');
        Assert.Equal("Untagged: steps:1", removed[0]);
        Assert.Equal(2, removed.Count(l => l.StartsWith("Deleted: sha256:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Prune_removes_dangling_images_and_says_what_it_freed()
    {
        var ctx = BuildContext($"FROM bb\nRUN head -c 300000 /dev/urandom > /blob && echo {Guid.NewGuid()}\n");
        var built = d.Cli("build", "-q", ctx);
        Assert.True(built.ExitCode == 0, built.ToString());
        var id = built.Out;
        Assert.StartsWith("sha256:", id);
        var declined = d.CliWithInput("n\n", "image", "prune");
        Assert.Contains("Are you sure you want to continue? [y/N]", declined.Stdout);
        Assert.Equal(id, d.Ok("image", "inspect", "-f", "{{.Id}}", id));
        var pruned = d.Ok("image", "prune", "-f");
        Assert.Contains("deleted: " + id, pruned);
        Assert.Matches(@"Total reclaimed space: [0-9.]+[kM]B", pruned);
        Assert.NotEqual(0, d.Cli("image", "inspect", id).ExitCode);
        Assert.Contains("bb", d.Ok("images", "--format", "{{.Repository}}"));
    }

    [Fact]
    public void Save_and_load_round_trip_an_image_and_its_tags()
    {
        var ctx = BuildContext("FROM bb\nCOPY f /f\nCMD [\"cat\", \"/f\"]\n");
        d.Ok("build", "-t", "saveme:1", ctx);
        var archive = Path.Combine(d.Dir, "saveme.tar");
        d.Ok("save", "-o", archive, "saveme:1");
        var listing = Gitops.Exec("/bin/tar", null, null, DaemonFixture.Timeout, "-tf", archive).Stdout;
        Assert.Contains("manifest.json", listing);
        Assert.Contains("index.json", listing);
        Assert.Contains("oci-layout", listing);
        var id = d.Ok("image", "inspect", "-f", "{{.Id}}", "saveme:1");
        d.Ok("image", "rm", "saveme:1");
        Assert.Equal("Loaded image: saveme:1", d.Ok("load", "-i", archive));
        Assert.Equal(id, d.Ok("image", "inspect", "-f", "{{.Id}}", "saveme:1"));
        Assert.Equal("file", d.Ok("run", "--rm", "saveme:1"));
        var viaStdin = Gitops.Exec("/bin/sh", d.Socket, null, DaemonFixture.Timeout, "-c", $"gzip -c {archive} | {Gitops.Binary} load");
        Assert.True(viaStdin.ExitCode == 0, viaStdin.ToString());
        Assert.Equal("Loaded image: saveme:1", viaStdin.Out);
        var refused = d.Cli("load", "-i", Path.Combine(d.Dir, "nothing.tar"));
        Assert.NotEqual(0, refused.ExitCode);
    }
}

/// <summary>prune -a empties a store, so it gets a daemon of its own.</summary>
public sealed class PruneAllTests(DaemonFixture d) : IClassFixture<DaemonFixture>
{
    [Fact]
    public void Prune_all_keeps_only_images_that_containers_use()
    {
        d.Ok("image", "tag", "bb", "unused:1");
        var ctx = Path.Combine(d.Dir, "pa");
        Directory.CreateDirectory(ctx);
        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), "FROM bb\nRUN echo x > /x\n");
        d.Ok("build", "-t", "built:1", ctx);
        var keeper = d.Ok("create", "bb", "true");
        var pruned = d.Ok("image", "prune", "-a", "-f");
        Assert.Contains("untagged: built:1", pruned);
        Assert.Contains("Total reclaimed space:", pruned);
        var left = d.Ok("images", "--format", "{{.Repository}}:{{.Tag}}").Split('\n').Order().ToList();
        Assert.Equal(["bb:latest", "unused:1"], left); // the same image as bb, which a container uses
        d.Ok("rm", keeper);
    }
}
