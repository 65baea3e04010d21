using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Tests.Init;

/// <summary>Secret files and mount destinations in the container-init sequence, checked through the recording fake.</summary>
public sealed class SecretMountTests
{
    static InitSpec Spec(IReadOnlyList<MountSpec> mounts, IReadOnlyList<SecretMountSpec> secrets) => new()
    {
        Mode = InitMode.Run,
        Rootfs = "/r",
        Mounts = mounts,
        SecretMounts = secrets,
        SecretStaging = "/state/c1/secrets",
        MaskedPaths = [],
        ReadonlyPaths = [],
        Process = new ProcessSpec { Args = ["true"], Env = [] },
    };

    [Fact]
    public void Secrets_are_written_to_a_private_tmpfs_bound_read_only_and_the_staging_mount_detached()
    {
        var rec = new RootfsBuilderTests.Recorder();
        RootfsBuilder.Build(Spec([], [
            new SecretMountSpec("/run/secrets", true, [new SecretFileSpec("db", "pw"u8.ToArray(), 0, 0, 0x124), new SecretFileSpec("dir/key", [1, 2, 3], 1000, 1000, 0x100)]),
            new SecretMountSpec("/etc/app.conf", false, [new SecretFileSpec("", "x=1"u8.ToArray(), 0, 0, 0x124)]),
        ]), rec);
        var c = rec.Calls;
        var tmpfs = c.FindIndex(x => x.StartsWith("mount tmpfs /state/c1/secrets tmpfs NoSuid, NoDev, NoExec mode=755,size=", StringComparison.Ordinal));
        Assert.True(tmpfs >= 0, string.Join('\n', c));
        Assert.Contains("write /state/c1/secrets/0/db 2B 0:0 444", c);
        Assert.Contains("mkdir /state/c1/secrets/0/dir", c);
        Assert.Contains("write /state/c1/secrets/0/dir/key 3B 1000:1000 400", c);
        Assert.Contains("write /state/c1/secrets/1 3B 0:0 444", c);
        var bind = c.IndexOf("mount /state/c1/secrets/0 /r/run/secrets - Bind -");
        var ro = c.IndexOf("mount /state/c1/secrets/0 /r/run/secrets - ReadOnly, NoSuid, NoDev, NoExec, Remount, Bind -");
        var detach = c.IndexOf($"umount /state/c1/secrets {Sys.MNT_DETACH}");
        Assert.True(tmpfs < bind && bind < ro && ro < detach, string.Join('\n', c));
        Assert.Contains("touch /r/etc/app.conf", c);
        Assert.True(detach < c.IndexOf("pivot_root . ."));
    }

    [Fact]
    public void Destinations_resolve_symlinks_inside_the_root_never_on_the_host()
    {
        var rec = new RootfsBuilderTests.Recorder();
        rec.Links["/r/data"] = "/etc";          // absolute: relative to the container's root
        rec.Links["/r/etc/up"] = "../../../..";  // cannot climb above it
        RootfsBuilder.Build(Spec([new MountSpec("/data/x", "bind", "/vol/_data", []), new MountSpec("/etc/up/y", "bind", "/vol2", ["ro"])], []), rec);
        Assert.Contains("mount /vol/_data /r/etc/x - Bind, Recursive -", rec.Calls);
        Assert.Contains("mount /vol2 /r/y - Bind, Recursive -", rec.Calls);
        Assert.Contains("mount /vol2 /r/y - ReadOnly, Remount, Bind -", rec.Calls);
    }

    [Fact]
    public void A_symlink_loop_fails_instead_of_spinning()
    {
        var rec = new RootfsBuilderTests.Recorder();
        rec.Links["/r/a"] = "/b";
        rec.Links["/r/b"] = "/a";
        Assert.Throws<InvalidOperationException>(() => RootfsBuilder.ResolveInRoot("/r", "/a/file", rec));
    }

    [Fact]
    public void A_volume_subpath_resolves_inside_the_volume()
    {
        var rec = new RootfsBuilderTests.Recorder();
        rec.Links["/vol/_data/mysql"] = "/";
        RootfsBuilder.Build(Spec([new MountSpec("/var/lib/mysql", "bind", "/vol/_data", [], "mysql")], []), rec);
        Assert.Contains("mount /vol/_data /r/var/lib/mysql - Bind, Recursive -", rec.Calls);
    }
}
