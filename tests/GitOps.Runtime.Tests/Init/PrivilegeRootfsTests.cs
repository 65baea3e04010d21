using GitOps.Runtime.Init;
using static GitOps.Runtime.Tests.Init.RootfsBuilderTests;

namespace GitOps.Runtime.Tests.Init;

/// <summary>The root filesystem under --device, --ipc and --privileged, through the recording fake.</summary>
public sealed class PrivilegeRootfsTests
{
    static InitSpec Spec(Action<InitSpec>? change = null)
    {
        var spec = new InitSpec
        {
            Mode = InitMode.Run,
            Rootfs = "/r",
            Process = new ProcessSpec { Args = ["true"], Env = [] },
        };
        change?.Invoke(spec);
        return spec;
    }

    [Fact]
    public void Devices_get_the_host_nodes_numbers_mode_and_owner_replacing_what_is_there()
    {
        var rec = new Recorder(exists: p => p == "/r/dev/null", isDir: _ => false);
        RootfsBuilder.Build(Spec(s => s.Devices =
        [
            new DeviceSpec("/dev/fuse", 'c', 10, 229, 0x180 /* 0600 */, 0, 0, "rwm"),
            new DeviceSpec("/dev/dri/card0", 'c', 226, 0, 0x1B0 /* 0660 */, 0, 44, "rw"),
            new DeviceSpec("/dev/null", 'c', 1, 5, 0x1B6, 0, 0, "rwm"),
        ]), rec);
        var c = rec.Calls;
        Assert.Contains("mknod /r/dev/fuse 10:229 600", c);
        Assert.Contains("chown /r/dev/fuse 0:0", c);
        Assert.True(c.IndexOf("mkdir /r/dev/dri") < c.IndexOf("mknod /r/dev/dri/card0 226:0 660"));
        Assert.Contains("chown /r/dev/dri/card0 0:44", c);
        // The OCI default at the same path is replaced, not kept.
        Assert.True(c.IndexOf("mknod /r/dev/null 1:3 666") < c.IndexOf("rm /r/dev/null"));
        Assert.True(c.IndexOf("rm /r/dev/null") < c.IndexOf("mknod /r/dev/null 1:5 666"));
    }

    [Fact]
    public void Shm_follows_the_ipc_mode()
    {
        var host = new Recorder();
        RootfsBuilder.Build(Spec(s => { s.Shm = ShmSource.Bind; s.ShmPath = "/dev/shm"; }), host);
        Assert.Contains("mount /dev/shm /r/dev/shm - Bind, Recursive -", host.Calls);
        Assert.DoesNotContain(host.Calls, c => c.StartsWith("mount shm", StringComparison.Ordinal));

        var donor = new Recorder();
        RootfsBuilder.Build(Spec(s => { s.Shm = ShmSource.Bind; s.ShmPath = "/var/lib/gitops/containers/x/mounts/shm"; }), donor);
        Assert.Contains("mount /var/lib/gitops/containers/x/mounts/shm /r/dev/shm - Bind, Recursive -", donor.Calls);

        var none = new Recorder();
        RootfsBuilder.Build(Spec(s => s.Shm = ShmSource.None), none);
        Assert.DoesNotContain(none.Calls, c => c.Contains("/dev/shm"));
        Assert.Contains("mount mqueue /r/dev/mqueue mqueue NoSuid, NoDev, NoExec -", none.Calls);
    }

    [Fact]
    public void Privileged_sysfs_is_writable_and_cgroups_follow_their_flag()
    {
        var rec = new Recorder();
        RootfsBuilder.Build(Spec(s => { s.SysfsWritable = true; s.MaskedPaths = []; s.ReadonlyPaths = []; }), rec);
        Assert.Contains("mount sysfs /r/sys sysfs NoSuid, NoDev, NoExec -", rec.Calls);
        Assert.DoesNotContain(rec.Calls, c => c.StartsWith("mount", StringComparison.Ordinal) && (c.Contains("/proc/kcore") || c.Contains("Remount, Bind")));

        var cg = new CgroupMountSpec(1, [new CgroupHierarchy("memory", "memory")]);
        var rw = new Recorder();
        RootfsBuilder.MountCgroups(cg, rw, writable: true);
        Assert.Contains("mount cgroup /sys/fs/cgroup/memory cgroup NoSuid, NoDev, NoExec memory", rw.Calls);
        var ro = new Recorder();
        RootfsBuilder.MountCgroups(cg, ro);
        Assert.Contains("mount cgroup /sys/fs/cgroup/memory cgroup ReadOnly, NoSuid, NoDev, NoExec memory", ro.Calls);
    }
}
