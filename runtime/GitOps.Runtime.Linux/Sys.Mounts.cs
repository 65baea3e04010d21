using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

[Flags]
public enum MountFlags : ulong
{
    None = 0, ReadOnly = 1, NoSuid = 2, NoDev = 4, NoExec = 8, Remount = 32, NoAtime = 1024, Bind = 4096,
    Move = 8192, Recursive = 16384, Silent = 32768, Private = 1 << 18, Slave = 1 << 19, Shared = 1 << 20,
    StrictAtime = 1 << 24, RelAtime = 1 << 21,
}

public static unsafe partial class Sys
{
    public static void Mount(string? source, string target, string? fsType, MountFlags flags, string? data = null)
    {
        var s = ZOrNull(source); var t = Z(target); var f = ZOrNull(fsType); var d = ZOrNull(data);
        fixed (byte* sp = s) fixed (byte* tp = t) fixed (byte* fp = f) fixed (byte* dp = d)
        {
            if (mount(sp, tp, fp, (Tmds.Linux.ulong_t)(ulong)flags, dp) != 0)
                throw new ErrnoException(LastErrno, $"mount({fsType ?? source ?? "bind"})", target);
        }
    }

    public const int MNT_DETACH = 2;

    public static void Umount(string target, int flags = 0)
    {
        var t = Z(target);
        fixed (byte* tp = t) Check(umount2(tp, flags), "umount2", target);
    }

    /// <summary>pivot_root(2); with new_root == put_old the old root is stacked under "." for a lazy unmount.</summary>
    public static void PivotRoot(string newRoot, string putOld)
    {
        var n = Z(newRoot); var o = Z(putOld);
        fixed (byte* np = n) fixed (byte* op = o)
            Check(syscall(Syscalls.PivotRoot, (long)np, (long)op), "pivot_root", newRoot);
    }

    public static void Chdir(string path)
    {
        var p = Z(path);
        fixed (byte* pp = p) Check(chdir(pp), "chdir", path);
    }

    public static void Chroot(string path)
    {
        var p = Z(path);
        fixed (byte* pp = p) Check(chroot(pp), "chroot", path);
    }

    // The new mount API: needed for overlayfs with more lower layers than one page of options holds.
    public static SafeFd FsOpen(string fsType)
    {
        var f = Z(fsType);
        fixed (byte* fp = f) return new SafeFd((int)Check(syscall(Syscalls.Fsopen, (long)fp, 1 /* FSOPEN_CLOEXEC */), "fsopen", fsType));
    }

    public static void FsConfigString(SafeFd fs, string key, string? value)
    {
        var k = Z(key); var v = ZOrNull(value);
        fixed (byte* kp = k) fixed (byte* vp = v)
        {
            var cmd = value is null ? 0 /* FSCONFIG_SET_FLAG */ : 1 /* FSCONFIG_SET_STRING */;
            Check(syscall(Syscalls.Fsconfig, fs.Fd, cmd, (long)kp, (long)vp, 0), "fsconfig", $"{key}={value}");
        }
    }

    public static void FsConfigCreate(SafeFd fs) =>
        Check(syscall(Syscalls.Fsconfig, fs.Fd, 6 /* FSCONFIG_CMD_CREATE */, 0, 0, 0), "fsconfig(create)");

    public static SafeFd FsMount(SafeFd fs, uint attrFlags) =>
        new((int)Check(syscall(Syscalls.Fsmount, fs.Fd, 1 /* FSMOUNT_CLOEXEC */, attrFlags), "fsmount"));

    public static void MoveMount(SafeFd mount, string target)
    {
        var t = Z(target);
        fixed (byte* tp = t)
        {
            var empty = stackalloc byte[1]; empty[0] = 0;
            Check(syscall(Syscalls.MoveMount, mount.Fd, (long)empty, -100 /* AT_FDCWD */, (long)tp,
                4 /* MOVE_MOUNT_F_EMPTY_PATH */), "move_mount", target);
        }
    }
}
