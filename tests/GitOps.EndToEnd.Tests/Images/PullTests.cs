using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Images;

[Collection(EngineCollection.Name)]
public sealed class PullTests(DaemonFixture d, RegistryFixture r) : IClassFixture<RegistryFixture>
{
    string Open(string name) => $"{r.Open.Address}/{name}";

    [Fact]
    public void A_multi_layer_OCI_image_pulls_and_runs_with_its_whiteouts_applied()
    {
        var image = Open("test/multi:v1");
        d.Cli("image", "rm", image);
        var pull = d.Ok("image", "pull", image);
        Assert.Contains("v1: Pulling from test/multi", pull);
        // Each layer was downloaded, or shared with an image another test pulled first.
        Assert.Equal(3, pull.Split('\n').Count(l => l.EndsWith(": Pull complete", StringComparison.Ordinal) || l.EndsWith(": Already exists", StringComparison.Ordinal)));
        Assert.Contains("Status: Downloaded newer image for " + image, pull);
        Assert.EndsWith(image, pull);

        Assert.Equal("uno", d.Ok("run", "--rm", image));
        // The file tree as the three layers make it: l3's opaque dir hides a and b, its whiteout hides gone, l2's hides /etc/group.
        var tree = d.Ok("run", "--rm", image, "sh", "-c", "find /data | sort; for f in $(find /data -type f | sort); do echo \"$f=$(cat $f | head -1)\"; done");
        Assert.Equal(
            "/data\n/data/dir\n/data/dir/c\n/data/file1\n/data/run.sh\n/data/dir/c=c\n/data/file1=uno\n/data/run.sh=#!/bin/sh",
            tree);
        Assert.NotEqual(0, d.Cli("run", "--rm", image, "ls", "/etc/group").ExitCode);
        Assert.Equal("hello from /data", d.Ok("run", "--rm", image, "./run.sh"));

        var ls = d.Ok("image", "ls");
        Assert.Matches($@"(?m)^{System.Text.RegularExpressions.Regex.Escape(Open("test/multi"))}\s+v1\s+[0-9a-f]{{12}}\s", ls);
        using var doc = JsonDocument.Parse(d.Ok("image", "inspect", image));
        var digests = doc.RootElement[0].GetProperty("RepoDigests").EnumerateArray().Select(e => e.GetString()!).ToList();
        var repoDigest = Assert.Single(digests, x => x.StartsWith(Open("test/multi") + "@", StringComparison.Ordinal));
        Assert.StartsWith(Open("test/multi") + "@sha256:", repoDigest);
        Assert.Equal(3, doc.RootElement[0].GetProperty("RootFS").GetProperty("diff_ids").GetArrayLength());

        // By digest: the same image, already here.
        var again = d.Ok("pull", repoDigest);
        Assert.Contains("Image is up to date", again);
        Assert.Equal("uno", d.Ok("run", "--rm", repoDigest));
    }

    [Fact]
    public void A_Docker_schema2_copy_shares_the_layers_already_pulled()
    {
        d.Ok("pull", Open("test/multi:v1"));
        var layers = Directory.GetDirectories(Path.Combine(d.Root, "image", "layers")).Length;
        var pull = d.Ok("pull", Open("test/multi-s2:v1"));
        Assert.Equal(3, pull.Split('\n').Count(l => l.EndsWith(": Already exists", StringComparison.Ordinal)));
        Assert.Equal(layers, Directory.GetDirectories(Path.Combine(d.Root, "image", "layers")).Length);
        Assert.Equal("uno", d.Ok("run", "--rm", Open("test/multi-s2:v1")));
        // skopeo stored it as schema 2: the manifest the store keeps is the registry's.
        using var doc = JsonDocument.Parse(d.Ok("image", "inspect", Open("test/multi-s2:v1")));
        Assert.Equal(d.Ok("image", "inspect", "-f", "{{.Id}}", Open("test/multi:v1")), doc.RootElement[0].GetProperty("Id").GetString());
    }

    [Fact]
    public void An_index_resolves_to_the_host_platform_or_the_one_asked_for()
    {
        var image = Open("test/index:v1");
        d.Ok("pull", image);
        Assert.Equal("amd64", d.Ok("run", "--rm", image));
        var arm = d.Ok("pull", "--platform", "linux/arm64", image);
        Assert.Contains("Downloaded newer image", arm);
        Assert.Equal("arm64", d.Ok("image", "inspect", "-f", "{{.Architecture}}", image));
        var missing = d.Cli("pull", "--platform", "linux/s390x", image);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("no matching manifest for linux/s390x", missing.Stderr);
    }

    [Fact]
    public void Run_pulls_a_missing_image_unless_told_never()
    {
        var image = Open("test/implicit:v1");
        var never = d.Cli("run", "--rm", "--pull", "never", image);
        Assert.Equal(125, never.ExitCode);
        Assert.Contains($"Unable to find image '{image}' locally", never.Stderr);
        var run = d.Cli("run", "--rm", image);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("uno", run.Out);
        Assert.Contains($"Unable to find image '{image}' locally", run.Stderr);
        Assert.Contains("Status: Downloaded newer image", run.Stderr);
        var always = d.Cli("run", "--rm", "--pull", "always", image);
        Assert.Contains("Image is up to date", always.Stderr);
        var unknown = d.Cli("run", "--rm", Open("test/nothing-here:v1"));
        Assert.Equal(125, unknown.ExitCode);
        Assert.Contains("not found", unknown.Stderr);
    }

    [Fact]
    public void Images_with_45_layers_run()
    {
        var image = Open("test/many:v1");
        d.Ok("pull", image);
        var listing = d.Ok("run", "--rm", image).Split('\n');
        Assert.Equal(45, listing.Length);
        Assert.Equal("layer 0", d.Ok("run", "--rm", image, "cat", "/layers/l00"));
        Assert.Equal("layer 44", d.Ok("run", "--rm", image, "cat", "/layers/l44"));
    }

    [Fact]
    public void A_corrupted_blob_fails_the_pull_and_leaves_the_store_as_it_was()
    {
        d.Ok("pull", Open("test/multi:v1")); // the base layer is in the store already; the corrupt one is not
        var data = r.Open.BlobData(r.CorruptLayerDigest);
        var bytes = File.ReadAllBytes(data);
        bytes[bytes.Length / 2] ^= 0xFF;
        bytes[bytes.Length / 3] ^= 0xFF;
        File.WriteAllBytes(data, bytes);

        var before = StoreSnapshot();
        var pull = d.Cli("pull", Open("test/corrupt:v1"));
        Assert.True(pull.ExitCode != 0, pull + File.ReadAllText(d.DaemonLog));
        Assert.Contains($"verification failed for digest {r.CorruptLayerDigest}", pull.Stderr);
        Assert.Equal(before, StoreSnapshot());
        Assert.DoesNotContain("test/corrupt", d.Ok("image", "ls"));
    }

    [Fact]
    public void A_protected_registry_needs_a_login_and_forgets_it_at_logout()
    {
        var image = $"{r.Private.Address}/private/app:v1";
        var anonymous = d.Cli("pull", image);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("authentication required", anonymous.Stderr);

        var wrong = d.CliWithInput("wrong\n", "login", "-u", RegistryFixture.User, "--password-stdin", r.Private.Address);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("login to " + r.Private.Address + " failed", wrong.Stderr);

        var login = d.CliWithInput(RegistryFixture.Password + "\n", "login", "-u", RegistryFixture.User, "--password-stdin", r.Private.Address);
        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Equal("Login Succeeded", login.Out);
        var credentials = Path.Combine(d.Root, "credentials.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentials));
        Assert.DoesNotContain(RegistryFixture.Password, File.ReadAllText(credentials));

        d.Ok("pull", image);
        Assert.Equal("uno", d.Ok("run", "--rm", image));
        d.Ok("image", "rm", image);

        d.Ok("logout", r.Private.Address);
        Assert.NotEqual(0, d.Cli("pull", image).ExitCode);
    }

    [Fact]
    public void Push_sends_only_what_the_registry_lacks_and_the_image_comes_back()
    {
        var ctx = Path.Combine(d.Dir, "push-ctx");
        Directory.CreateDirectory(ctx);
        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), $"FROM bb\nRUN echo {Guid.NewGuid()} > /id\nCMD [\"cat\", \"/id\"]\n");
        d.Ok("build", "-t", "pushme:1", ctx);
        var expected = d.Ok("run", "--rm", "pushme:1");
        var target = Open("pushed/app:v1");
        d.Ok("tag", "pushme:1", target);
        var push = d.Ok("push", target);
        Assert.Contains($"The push refers to repository [{Open("pushed/app")}]", push);
        Assert.Contains(": Pushed", push);
        var digest = System.Text.RegularExpressions.Regex.Match(push, @"v1: digest: (sha256:[0-9a-f]{64}) size: \d+").Groups[1].Value;
        Assert.NotEmpty(digest);

        // An independent client finds it there, under that digest.
        var inspect = Gitops.Exec("/usr/bin/skopeo", null, null, DaemonFixture.Timeout, "--insecure-policy", "inspect", "--tls-verify=false", $"docker://{target}");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Equal(digest, JsonDocument.Parse(inspect.Stdout).RootElement.GetProperty("Digest").GetString());

        Assert.Contains("Layer already exists", d.Ok("push", target));
        d.Ok("image", "rm", target, "pushme:1");
        d.Ok("pull", target);
        Assert.Equal(expected, d.Ok("run", "--rm", target));

        // A pulled image pushed to another repository of the same registry: its blobs are mounted, not sent.
        d.Ok("pull", Open("test/multi:v1"));
        d.Ok("tag", Open("test/multi:v1"), Open("copies/multi:v1"));
        var mounted = d.Ok("push", Open("copies/multi:v1"));
        Assert.Contains("Mounted from test/", mounted);
        Assert.DoesNotContain(": Pushed", mounted);
    }

    [Fact]
    public void Archives_written_by_skopeo_load_in_both_formats()
    {
        var dockerArchive = Path.Combine(d.Dir, "skopeo-docker.tar");
        var ociArchive = Path.Combine(d.Dir, "skopeo-oci.tar");
        foreach (var (dest, _) in new[] { ($"docker-archive:{dockerArchive}:skopeo/multi:v1", 0), ($"oci-archive:{ociArchive}:v1", 0) })
        {
            var copy = Gitops.Exec("/usr/bin/skopeo", null, null, TimeSpan.FromSeconds(120), "--insecure-policy", "copy", "--src-tls-verify=false", $"docker://{Open("test/multi:v1")}", dest);
            Assert.True(copy.ExitCode == 0, copy.ToString());
        }
        Assert.Equal("Loaded image: skopeo/multi:v1", d.Ok("load", "-i", dockerArchive));
        Assert.Equal("uno", d.Ok("run", "--rm", "skopeo/multi:v1"));
        var loaded = d.Ok("load", "-i", ociArchive);
        Assert.StartsWith("Loaded image ID: sha256:", loaded);
        Assert.Equal("uno", d.Ok("run", "--rm", loaded["Loaded image ID: ".Length..]));
    }

    [Fact]
    public void A_build_can_start_FROM_a_pulled_image_by_digest()
    {
        d.Ok("pull", Open("test/multi:v1"));
        using var doc = JsonDocument.Parse(d.Ok("image", "inspect", Open("test/multi:v1")));
        var repoDigest = doc.RootElement[0].GetProperty("RepoDigests").EnumerateArray().Select(e => e.GetString()!).First(x => x.StartsWith(Open("test/multi") + "@", StringComparison.Ordinal));
        var ctx = Path.Combine(d.Dir, "from-digest");
        Directory.CreateDirectory(ctx);
        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), $"FROM {repoDigest}\nRUN cp /data/file1 /copied\nCMD [\"cat\", \"/copied\"]\n");
        var built = Gitops.Run(d.Socket, null, TimeSpan.FromSeconds(120), "build", "-t", "from-digest:1", ctx);
        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.Equal("uno", d.Ok("run", "--rm", "from-digest:1"));
    }

    /// <summary>Every file name and size under the image store (blobs, layers, metadata).</summary>
    string StoreSnapshot()
    {
        var root = Path.Combine(d.Root, "image");
        var r = Gitops.Exec("/bin/sh", null, null, DaemonFixture.Timeout, "-c", $"cd {root} && find . -path ./layers/*/diff/* -prune -o -printf '%p %s\\n' | sort");
        return r.Stdout;
    }
}
