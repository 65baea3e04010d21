using GitOps.EndToEnd.Tests.Infrastructure;
using GitOps.Runtime.Images;
using static GitOps.EndToEnd.Tests.Infrastructure.OciLayout;

namespace GitOps.EndToEnd.Tests.Images;

/// <summary>
/// Two registries (open, and htpasswd-protected) filled by skopeo from OCI images made here from
/// busybox-static: a 3-layer image with whiteouts and an opaque directory (pushed as OCI and as
/// Docker schema 2), a two-platform index, a 45-layer image, and an image kept for corruption.
/// </summary>
public sealed class RegistryFixture : IDisposable
{
    public const string User = "tester";
    public const string Password = "s3cret-pass";

    public RegistryFixture()
    {
        Dir = Directory.CreateTempSubdirectory("gitops-registry-").FullName;
        var rootfs = Path.Combine(Dir, "bbroot");
        var made = Gitops.Exec("/bin/bash", null, null, DaemonFixture.Timeout, Path.Combine(Gitops.RepoRoot, "examples", "hello", "make-rootfs.sh"), rootfs);
        Assert.True(made.ExitCode == 0, made.ToString());
        Open = new LocalRegistry(Path.Combine(Dir, "open"));
        Private = new LocalRegistry(Path.Combine(Dir, "private"), (User, Password));

        var oci = new OciLayout(Path.Combine(Dir, "oci"));
        var baseLayer = oci.AddDirectoryLayer(rootfs);
        var l2 = oci.AddLayer(w =>
        {
            Dir_(w, "data");
            File_(w, "data/file1", "one\n");
            Dir_(w, "data/dir");
            File_(w, "data/dir/a", "a\n");
            File_(w, "data/dir/b", "b\n");
            File_(w, "data/gone", "soon deleted\n");
            Whiteout(w, "etc", "group");
        });
        var l3 = oci.AddLayer(w =>
        {
            File_(w, "data/file1", "uno\n");
            Dir_(w, "data/dir");
            Opaque(w, "data/dir");
            File_(w, "data/dir/c", "c\n");
            Whiteout(w, "data", "gone");
            File_(w, "data/run.sh", "#!/bin/sh\necho \"$GREETING from $PWD\"\n", 0x1ED);
        }, gzip: false);
        var runtime = new ImageRuntimeConfig { Cmd = ["cat", "/data/file1"], Env = ["PATH=/bin", "GREETING=hello"], WorkingDir = "/data" };
        oci.AddImage([baseLayer, l2, l3], runtime, tag: "multi");

        var amd = oci.AddImage([baseLayer, oci.AddLayer(w => File_(w, "arch", "amd64\n"))], new ImageRuntimeConfig { Cmd = ["cat", "/arch"] });
        var arm = oci.AddImage([baseLayer, oci.AddLayer(w => File_(w, "arch", "arm64\n"))], new ImageRuntimeConfig { Cmd = ["cat", "/arch"] }, arch: "arm64");
        oci.AddIndex([amd, arm], "index");

        var many = new List<(Descriptor, string)> { baseLayer };
        for (var i = 0; i < 45; i++)
        {
            var n = i;
            many.Add(oci.AddLayer(w => File_(w, $"layers/l{n:00}", $"layer {n}\n")));
        }
        oci.AddImage(many, new ImageRuntimeConfig { Cmd = ["ls", "/layers"] }, tag: "many");

        var doomedLayer = oci.AddLayer(w => File_(w, "doomed", new string('x', 200_000) + Guid.NewGuid()));
        oci.AddImage([baseLayer, doomedLayer], new ImageRuntimeConfig(), tag: "corrupt");
        CorruptLayerDigest = doomedLayer.Blob.Digest;
        oci.Save();

        Open.Push(oci.Dir, "multi", "test/multi:v1");
        Open.Push(oci.Dir, "multi", "test/multi-s2:v1", format: "v2s2");
        Open.Push(oci.Dir, "multi", "test/implicit:v1");
        Open.Push(oci.Dir, "index", "test/index:v1", all: true);
        Open.Push(oci.Dir, "many", "test/many:v1");
        Open.Push(oci.Dir, "corrupt", "test/corrupt:v1");
        Private.Push(oci.Dir, "multi", "private/app:v1");
    }

    public string Dir { get; }
    public LocalRegistry Open { get; }
    public LocalRegistry Private { get; }
    public string CorruptLayerDigest { get; }

    public void Dispose()
    {
        Open.Dispose();
        Private.Dispose();
        Gitops.Exec("/bin/rm", null, null, TimeSpan.FromSeconds(60), "-rf", Dir);
    }
}
