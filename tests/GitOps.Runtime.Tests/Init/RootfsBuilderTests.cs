using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Tests.Init;

/// <summary>The mount sequence of a container root, checked without root through a recording fake.</summary>
public sealed class RootfsBuilderTests
{
    internal sealed class Recorder(Func<string, bool>? exists = null, Func<string, bool>? isDir = null) : IContainerSyscalls
    {
        public List<string> Calls { get; } = [];
        public void Mount(string? source, string target, string? fsType, MountFlags flags, string? data = null) =>
            Calls.Add($"mount {source ?? "-"} {target} {fsType ?? "-"} {flags} {data ?? "-"}");
        public void MountOverlay(string target, IReadOnlyList<string> lowerDirs, string upperDir, string workDir) =>
            Calls.Add($"overlay {target} lower={string.Join(':', lowerDirs)} upper={upperDir} work={workDir}");
        public void Umount(string target, int flags) => Calls.Add($"umount {target} {flags}");
        public void PivotRoot(string newRoot, string putOld) => Calls.Add($"pivot_root {newRoot} {putOld}");
        public void Chdir(string path) => Calls.Add($"chdir {path}");
        public void MakeDirectory(string path, uint mode = 0x1ED) => Calls.Add($"mkdir {path}");
        public void MakeDevice(string path, uint mode, uint major, uint minor) => Calls.Add($"mknod {path} {major}:{minor} {Convert.ToString(mode & 0xFFF, 8)}");
        public void Symlink(string target, string path) => Calls.Add($"symlink {path} -> {target}");
        public void EnsureFile(string path) => Calls.Add($"touch {path}");
        public bool Exists(string path) => exists?.Invoke(path) ?? true;
        public bool IsDirectory(string path) => isDir?.Invoke(path) ?? !Path.GetFileName(path).Contains('.');
        public Dictionary<string, string> Links { get; } = [];
        public string? ReadLink(string path) => Links.GetValueOrDefault(path);
        public void WriteFile(string path, ReadOnlySpan<byte> data, uint uid, uint gid, uint mode) =>
            Calls.Add($"write {path} {data.Length}B {uid}:{gid} {Convert.ToString(mode, 8)}");
        public void Remove(string path) => Calls.Add($"rm {path}");
        public void Chown(string path, uint uid, uint gid) => Calls.Add($"chown {path} {uid}:{gid}");
    }

    static InitSpec Spec(bool readOnly = false, IReadOnlyList<MountSpec>? mounts = null) => new()
    {
        Mode = InitMode.Run,
        Rootfs = "/r",
        Overlay = new OverlaySpec(["/l/init", "/l/top", "/l/base"], "/u", "/w"),
        Hostname = "abc",
        ReadonlyRootfs = readOnly,
        Mounts = mounts ?? [new MountSpec("/etc/hosts", "bind", "/state/hosts", [])],
        Process = new ProcessSpec { Args = ["true"], Env = [] },
    };

    [Fact]
    public void Root_is_private_then_overlay_then_pivot_last()
    {
        var rec = new Recorder();
        RootfsBuilder.Build(Spec(), rec);
        var c = rec.Calls;
        Assert.Equal("mount - / - Recursive, Private -", c[0]);
        Assert.Equal("overlay /r lower=/l/init:/l/top:/l/base upper=/u work=/w", c[1]);
        Assert.Equal(["chdir /r", "pivot_root . .", $"umount . {Sys.MNT_DETACH}", "chdir /"], c.TakeLast(4));
    }

    [Fact]
    public void Proc_dev_and_sys_are_mounted_with_dockers_flags()
    {
        var rec = new Recorder();
        RootfsBuilder.Build(Spec(), rec);
        Assert.Contains("mount proc /r/proc proc NoSuid, NoDev, NoExec -", rec.Calls);
        Assert.Contains("mount tmpfs /r/dev tmpfs NoSuid, StrictAtime mode=755,size=65536k", rec.Calls);
        Assert.Contains("mount devpts /r/dev/pts devpts NoSuid, NoExec newinstance,ptmxmode=0666,mode=0620,gid=5", rec.Calls);
        Assert.Contains("mount shm /r/dev/shm tmpfs NoSuid, NoDev, NoExec mode=1777,size=65536k", rec.Calls);
        Assert.Contains("mount mqueue /r/dev/mqueue mqueue NoSuid, NoDev, NoExec -", rec.Calls);
        Assert.Contains("mount sysfs /r/sys sysfs ReadOnly, NoSuid, NoDev, NoExec -", rec.Calls);
        // /proc must exist before anything is mounted under it (masking, read-only paths).
        Assert.True(rec.Calls.IndexOf("mount proc /r/proc proc NoSuid, NoDev, NoExec -") < rec.Calls.FindIndex(x => x.Contains("/r/proc/kcore")));
    }

    [Fact]
    public void Creates_exactly_the_oci_default_devices_world_writable()
    {
        var rec = new Recorder();
        RootfsBuilder.Build(Spec(), rec);
        var devices = rec.Calls.Where(c => c.StartsWith("mknod", StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            "mknod /r/dev/null 1:3 666", "mknod /r/dev/zero 1:5 666", "mknod /r/dev/full 1:7 666",
            "mknod /r/dev/random 1:8 666", "mknod /r/dev/urandom 1:9 666", "mknod /r/dev/tty 5:0 666",
        ], devices);
        Assert.Contains("symlink /r/dev/fd -> /proc/self/fd", rec.Calls);
        Assert.Contains("symlink /r/dev/ptmx -> pts/ptmx", rec.Calls);
    }

    [Fact]
    public void Masks_files_with_dev_null_and_directories_with_readonly_tmpfs()
    {
        var rec = new Recorder(isDir: p => p.EndsWith("acpi", StringComparison.Ordinal) || p.EndsWith("firmware", StringComparison.Ordinal) || p.EndsWith("scsi", StringComparison.Ordinal) || p.EndsWith("asound", StringComparison.Ordinal) || p.EndsWith("powercap", StringComparison.Ordinal));
        RootfsBuilder.Build(Spec(), rec);
        Assert.Contains("mount /r/dev/null /r/proc/kcore - Bind -", rec.Calls);
        Assert.Contains("mount /r/dev/null /r/proc/keys - Bind -", rec.Calls);
        Assert.Contains("mount tmpfs /r/proc/acpi tmpfs ReadOnly size=0", rec.Calls);
        Assert.Contains("mount tmpfs /r/sys/firmware tmpfs ReadOnly size=0", rec.Calls);
        foreach (var p in Defaults.ReadonlyPaths)
        {
            Assert.Contains($"mount /r{p} /r{p} - Bind, Recursive -", rec.Calls);
            Assert.Contains($"mount /r{p} /r{p} - ReadOnly, NoSuid, NoDev, NoExec, Remount, Bind -", rec.Calls);
        }
    }

    [Fact]
    public void Skips_masked_paths_the_kernel_does_not_have()
    {
        var rec = new Recorder(exists: p => !p.EndsWith("kcore", StringComparison.Ordinal));
        RootfsBuilder.Build(Spec(), rec);
        Assert.DoesNotContain(rec.Calls, c => c.StartsWith("mount", StringComparison.Ordinal) && c.Contains("kcore"));
    }

    [Fact]
    public void Bind_mounts_create_their_target_and_readonly_needs_a_remount()
    {
        var rec = new Recorder(isDir: p => p is "/srv/data");
        RootfsBuilder.Build(Spec(mounts:
        [
            new MountSpec("/etc/hosts", "bind", "/state/hosts", []),
            new MountSpec("/data", "bind", "/srv/data", ["ro"]),
            new MountSpec("/scratch", "tmpfs", null, ["size=1m", "mode=1777"]),
        ]), rec);
        var i = rec.Calls.IndexOf("touch /r/etc/hosts");
        Assert.True(i >= 0);
        Assert.Equal("mount /state/hosts /r/etc/hosts - Bind, Recursive -", rec.Calls[i + 1]);
        var j = rec.Calls.IndexOf("mkdir /r/data");
        Assert.Equal("mount /srv/data /r/data - Bind, Recursive -", rec.Calls[j + 1]);
        Assert.Equal("mount /srv/data /r/data - ReadOnly, Remount, Bind -", rec.Calls[j + 2]);
        Assert.Contains("mount tmpfs /r/scratch tmpfs NoSuid, NoDev size=1m,mode=1777", rec.Calls);
    }

    [Fact]
    public void Read_only_root_is_remounted_after_the_pivot()
    {
        var rec = new Recorder();
        RootfsBuilder.Build(Spec(readOnly: true), rec);
        Assert.Equal("mount - / - ReadOnly, Remount, Bind -", rec.Calls[^1]);
    }

    [Fact]
    public void A_tty_gets_a_console_mount_point()
    {
        var rec = new Recorder();
        RootfsBuilder.Build(Spec() with { Process = new ProcessSpec { Args = ["sh"], Env = [], Tty = true } }, rec);
        Assert.Contains("touch /r/dev/console", rec.Calls);
        var plain = new Recorder();
        RootfsBuilder.Build(Spec(), plain);
        Assert.DoesNotContain("touch /r/dev/console", plain.Calls);
    }

    [Fact]
    public void Cgroup_v1_hierarchies_are_mounted_read_only_under_a_tmpfs()
    {
        var rec = new Recorder();
        RootfsBuilder.MountCgroups(new CgroupMountSpec(1, [new("memory", "memory"), new("systemd", "name=systemd")]), rec);
        Assert.Equal(
        [
            "mount tmpfs /sys/fs/cgroup tmpfs NoSuid, NoDev, NoExec mode=755",
            "mkdir /sys/fs/cgroup/memory",
            "mount cgroup /sys/fs/cgroup/memory cgroup ReadOnly, NoSuid, NoDev, NoExec memory",
            "mkdir /sys/fs/cgroup/systemd",
            "mount cgroup /sys/fs/cgroup/systemd cgroup ReadOnly, NoSuid, NoDev, NoExec name=systemd",
            "mount - /sys/fs/cgroup - ReadOnly, NoSuid, NoDev, NoExec, Remount mode=755",
        ], rec.Calls);
    }

    [Fact]
    public void Cgroup_v2_is_one_readonly_mount()
    {
        var rec = new Recorder();
        RootfsBuilder.MountCgroups(new CgroupMountSpec(2, []), rec);
        Assert.Equal(["mount cgroup2 /sys/fs/cgroup cgroup2 ReadOnly, NoSuid, NoDev, NoExec -"], rec.Calls);
    }

    [Fact]
    public void Default_capabilities_are_dockers_fourteen()
    {
        Assert.Equal(14, Defaults.Capabilities.Count);
        Assert.Equal(0xa80425fbUL, Defaults.CapabilityMask);
    }
}
