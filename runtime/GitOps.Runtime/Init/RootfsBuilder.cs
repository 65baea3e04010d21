using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Init;

/// <summary>
/// Assembles a container's root filesystem inside its new mount namespace, in the order runc uses:
/// overlay root, /proc, /dev (OCI default devices, devpts, shm, mqueue), /sys, the container's own
/// mounts, Docker's masked and read-only paths, then pivot_root. Nothing here is visible outside
/// the namespace, so when the container's last process exits every mount disappears with it.
/// </summary>
public static class RootfsBuilder
{
    const MountFlags NoSuidDevExec = MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec;

    public static void Build(InitSpec spec, IContainerSyscalls sys)
    {
        var root = spec.Rootfs ?? throw new InvalidOperationException("run mode needs a rootfs");
        string At(string p) => root + p;

        // Our mounts must not propagate back to the host (the host's / is usually shared).
        sys.Mount(null, "/", null, MountFlags.Recursive | MountFlags.Private);
        if (spec.Overlay is { } ov) sys.MountOverlay(root, ov.LowerDirs, ov.UpperDir, ov.WorkDir);

        sys.MakeDirectory(At("/proc"));
        sys.Mount("proc", At("/proc"), "proc", NoSuidDevExec);

        sys.MakeDirectory(At("/dev"));
        sys.Mount("tmpfs", At("/dev"), "tmpfs", MountFlags.NoSuid | MountFlags.StrictAtime, "mode=755,size=65536k");
        foreach (var (name, major, minor) in Defaults.Devices)
            sys.MakeDevice(At("/dev/" + name), FileStat.S_IFCHR | 0x1B6 /* 0666 */, major, minor);
        sys.Symlink("/proc/self/fd", At("/dev/fd"));
        sys.Symlink("/proc/self/fd/0", At("/dev/stdin"));
        sys.Symlink("/proc/self/fd/1", At("/dev/stdout"));
        sys.Symlink("/proc/self/fd/2", At("/dev/stderr"));
        sys.Symlink("/proc/kcore", At("/dev/core"));
        sys.MakeDirectory(At("/dev/pts"));
        sys.Mount("devpts", At("/dev/pts"), "devpts", MountFlags.NoSuid | MountFlags.NoExec, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        sys.Symlink("pts/ptmx", At("/dev/ptmx"));
        sys.MakeDirectory(At("/dev/shm"), 0x3FF /* 01777 */);
        sys.Mount("shm", At("/dev/shm"), "tmpfs", NoSuidDevExec, "mode=1777,size=65536k");
        sys.MakeDirectory(At("/dev/mqueue"));
        sys.Mount("mqueue", At("/dev/mqueue"), "mqueue", NoSuidDevExec);
        if (spec.Process.Tty) sys.EnsureFile(At("/dev/console")); // the console's mount point, bound once the pty exists

        sys.MakeDirectory(At("/sys"));
        sys.Mount("sysfs", At("/sys"), "sysfs", NoSuidDevExec | MountFlags.ReadOnly);

        foreach (var m in spec.Mounts) MountOne(m, sys, At);

        foreach (var p in spec.MaskedPaths)
        {
            if (!sys.Exists(At(p))) continue;
            if (sys.IsDirectory(At(p))) sys.Mount("tmpfs", At(p), "tmpfs", MountFlags.ReadOnly, "size=0");
            else sys.Mount(At("/dev/null"), At(p), null, MountFlags.Bind);
        }
        foreach (var p in spec.ReadonlyPaths)
        {
            if (!sys.Exists(At(p))) continue;
            sys.Mount(At(p), At(p), null, MountFlags.Bind | MountFlags.Recursive);
            sys.Mount(At(p), At(p), null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly | NoSuidDevExec);
        }

        // pivot_root(".", ".") stacks the old root on top of the new one; a lazy unmount of "." then
        // drops it, so no directory for the old root is needed and no host path stays reachable.
        sys.Chdir(root);
        sys.PivotRoot(".", ".");
        sys.Umount(".", Sys.MNT_DETACH);
        sys.Chdir("/");

        if (spec.ReadonlyRootfs) sys.Mount(null, "/", null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly);
    }

    static void MountOne(MountSpec m, IContainerSyscalls sys, Func<string, string> at)
    {
        var target = at(m.Destination);
        switch (m.Type)
        {
            case "bind":
                var source = m.Source ?? throw new InvalidOperationException($"bind mount {m.Destination} has no source");
                if (sys.IsDirectory(source)) sys.MakeDirectory(target); else sys.EnsureFile(target);
                var recursive = !m.Options.Contains("norecursive");
                sys.Mount(source, target, null, MountFlags.Bind | (recursive ? MountFlags.Recursive : 0));
                var flags = Flags(m.Options);
                if (flags != MountFlags.None)
                    sys.Mount(source, target, null, MountFlags.Bind | MountFlags.Remount | flags);
                break;
            case "tmpfs":
                sys.MakeDirectory(target);
                var data = string.Join(',', m.Options.Where(o => o.Contains('=')));
                sys.Mount("tmpfs", target, "tmpfs", Flags(m.Options) | MountFlags.NoSuid | MountFlags.NoDev, data.Length == 0 ? null : data);
                break;
            default:
                sys.MakeDirectory(target);
                sys.Mount(m.Source ?? m.Type, target, m.Type, Flags(m.Options), null);
                break;
        }
    }

    static MountFlags Flags(IReadOnlyList<string> options)
    {
        var f = MountFlags.None;
        foreach (var o in options)
        {
            f |= o switch
            {
                "ro" => MountFlags.ReadOnly,
                "nosuid" => MountFlags.NoSuid,
                "nodev" => MountFlags.NoDev,
                "noexec" => MountFlags.NoExec,
                _ => MountFlags.None,
            };
        }
        return f;
    }

    /// <summary>
    /// /sys/fs/cgroup as the container sees it: mounted after the cgroup namespace is entered, so each
    /// hierarchy's root is the container's own cgroup. Read-only, as Docker does.
    /// </summary>
    public static void MountCgroups(CgroupMountSpec spec, IContainerSyscalls sys)
    {
        const string dir = "/sys/fs/cgroup";
        if (spec.Version == 2)
        {
            sys.Mount("cgroup2", dir, "cgroup2", NoSuidDevExec | MountFlags.ReadOnly);
            return;
        }
        sys.Mount("tmpfs", dir, "tmpfs", NoSuidDevExec, "mode=755");
        foreach (var h in spec.Hierarchies)
        {
            sys.MakeDirectory($"{dir}/{h.Name}");
            sys.Mount("cgroup", $"{dir}/{h.Name}", "cgroup", NoSuidDevExec | MountFlags.ReadOnly, h.Options);
        }
        sys.Mount(null, dir, null, MountFlags.Remount | MountFlags.ReadOnly | NoSuidDevExec, "mode=755");
    }
}
