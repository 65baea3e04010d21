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
        MountShm(spec, sys, At("/dev/shm"));
        sys.MakeDirectory(At("/dev/mqueue"));
        // mqueue shows the IPC namespace of whoever mounts it: with --ipc host or container:X, that one's queues.
        sys.Mount("mqueue", At("/dev/mqueue"), "mqueue", NoSuidDevExec);
        if (spec.Process.Tty) sys.EnsureFile(At("/dev/console")); // the console's mount point, bound once the pty exists
        foreach (var d in spec.Devices) MakeDevice(d, sys, root);

        sys.MakeDirectory(At("/sys"));
        sys.Mount("sysfs", At("/sys"), "sysfs", NoSuidDevExec | (spec.SysfsWritable ? MountFlags.None : MountFlags.ReadOnly));

        foreach (var m in spec.Mounts) MountOne(m, sys, root);
        if (spec.SecretMounts.Count > 0) MountSecrets(spec, sys, root);

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

    /// <summary>
    /// /dev/shm after --ipc, as Docker does it: a tmpfs of the container's own (private); a host
    /// directory bound — the host's /dev/shm (host), or the tmpfs the daemon mounted on the host for
    /// a shareable container, which the containers that join its IPC namespace bind too; or nothing
    /// (none). This mount namespace is a copy of the daemon's, so those host paths resolve here.
    /// </summary>
    static void MountShm(InitSpec spec, IContainerSyscalls sys, string target)
    {
        if (spec.Shm == ShmSource.None) return;
        sys.MakeDirectory(target, 0x3FF /* 01777 */);
        if (spec.Shm == ShmSource.Private)
            sys.Mount("shm", target, "tmpfs", NoSuidDevExec, "mode=1777,size=65536k");
        else
            sys.Mount(spec.ShmPath ?? throw new InvalidOperationException("a bound /dev/shm needs its host path"), target, null, MountFlags.Bind | MountFlags.Recursive);
    }

    /// <summary>
    /// One --device (or --privileged) node, made with the host node's numbers, mode and owner, as
    /// runc makes them. A node already there (an OCI default at the same path) is replaced.
    /// </summary>
    static void MakeDevice(DeviceSpec d, IContainerSyscalls sys, string root)
    {
        var target = ResolveInRoot(root, d.Path, sys);
        if (target == root) throw new InvalidOperationException($"device path {d.Path} is the container's root");
        sys.MakeDirectory(Path.GetDirectoryName(target)!);
        if (sys.Exists(target)) sys.Remove(target);
        sys.MakeDevice(target, (d.Type == 'b' ? FileStat.S_IFBLK : FileStat.S_IFCHR) | (d.Mode & 0xFFF), d.Major, d.Minor);
        sys.Chown(target, d.Uid, d.Gid);
    }

    static void MountOne(MountSpec m, IContainerSyscalls sys, string root)
    {
        // The image decides what its paths are: a destination such as /data -> /etc (or -> /) must
        // resolve inside the container's root, never on the host, where these mounts happen.
        var target = ResolveInRoot(root, m.Destination, sys);
        switch (m.Type)
        {
            case "bind":
                var source = m.Source ?? throw new InvalidOperationException($"bind mount {m.Destination} has no source");
                if (m.SubPath is { Length: > 0 } sub)
                {
                    // The volume's content is the containers' to shape: resolve the subpath within it.
                    source = ResolveInRoot(source, sub, sys);
                    if (!sys.Exists(source)) throw new InvalidOperationException($"cannot mount {m.Destination}: subpath \"{sub}\" does not exist in the volume");
                }
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

    /// <summary>
    /// Secret and config files: a tmpfs assembled on a staging directory (a host path, but this
    /// mount exists only in the container's namespace), one bind per destination, read-only, then
    /// the staging mount is detached. The binds keep the tmpfs alive; when the container's last
    /// process exits, the content is gone with its mount namespace.
    /// </summary>
    static void MountSecrets(InitSpec spec, IContainerSyscalls sys, string root)
    {
        var staging = spec.SecretStaging ?? throw new InvalidOperationException("secret mounts need a staging directory");
        // Room for every file rounded up to a page, its directories, and some slack.
        long size = 64 * 1024;
        foreach (var m in spec.SecretMounts)
            foreach (var f in m.Files) size += (f.Data.Length + 4095) / 4096 * 4096 + 4096;
        sys.Mount("tmpfs", staging, "tmpfs", NoSuidDevExec, $"mode=755,size={size}");
        for (var i = 0; i < spec.SecretMounts.Count; i++)
        {
            var m = spec.SecretMounts[i];
            var source = $"{staging}/{i}";
            if (m.IsDirectory)
            {
                sys.MakeDirectory(source);
                foreach (var f in m.Files)
                {
                    var path = CleanRelative(f.Path);
                    var slash = path.LastIndexOf('/');
                    if (slash > 0) sys.MakeDirectory($"{source}/{path[..slash]}");
                    sys.WriteFile($"{source}/{path}", f.Data, f.Uid, f.Gid, f.Mode);
                }
            }
            else
            {
                var f = m.Files.Single();
                sys.WriteFile(source, f.Data, f.Uid, f.Gid, f.Mode);
            }
        }
        // All binds first, read-only after: a mount point inside /run/secrets (a directory mount
        // below it) must be created while that bind is still writable.
        var targets = new List<(string Source, string Target)>();
        for (var i = 0; i < spec.SecretMounts.Count; i++)
        {
            var m = spec.SecretMounts[i];
            var target = ResolveInRoot(root, m.Destination, sys);
            if (m.IsDirectory) sys.MakeDirectory(target); else sys.EnsureFile(target);
            sys.Mount($"{staging}/{i}", target, null, MountFlags.Bind);
            targets.Add(($"{staging}/{i}", target));
        }
        foreach (var (source, target) in targets)
            sys.Mount(source, target, null, MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly | NoSuidDevExec);
        sys.Umount(staging, Sys.MNT_DETACH);
    }

    /// <summary>A relative path with no empty, "." or ".." components (checked by the daemon too; this is the last line).</summary>
    static string CleanRelative(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or "..")) throw new InvalidOperationException($"invalid secret file path \"{path}\"");
        return string.Join('/', parts);
    }

    /// <summary>
    /// <paramref name="path"/> as the container will see it, as a host path under <paramref name="root"/>:
    /// each symbolic link is followed as if <paramref name="root"/> were "/", and ".." never climbs
    /// above it (what filepath-securejoin does for runc). Components that do not exist yet are kept.
    /// </summary>
    public static string ResolveInRoot(string root, string path, IContainerSyscalls sys)
    {
        var pending = new List<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending[0];
            pending.RemoveAt(0);
            if (part == ".") continue;
            if (part == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = root + "/" + string.Join('/', resolved.Append(part));
            var link = sys.ReadLink(candidate);
            if (link is null)
            {
                resolved.Add(part);
                continue;
            }
            if (++links > 255) throw new InvalidOperationException($"too many levels of symbolic links in {path}");
            if (link.StartsWith('/')) resolved.Clear();
            pending.InsertRange(0, link.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        return resolved.Count == 0 ? root : root + "/" + string.Join('/', resolved);
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
    /// <param name="writable">--privileged or writable-cgroups: read-write, as Docker mounts them then.</param>
    public static void MountCgroups(CgroupMountSpec spec, IContainerSyscalls sys, bool writable = false)
    {
        const string dir = "/sys/fs/cgroup";
        var ro = writable ? MountFlags.None : MountFlags.ReadOnly;
        if (spec.Version == 2)
        {
            sys.Mount("cgroup2", dir, "cgroup2", NoSuidDevExec | ro);
            return;
        }
        sys.Mount("tmpfs", dir, "tmpfs", NoSuidDevExec, "mode=755");
        foreach (var h in spec.Hierarchies)
        {
            sys.MakeDirectory($"{dir}/{h.Name}");
            sys.Mount("cgroup", $"{dir}/{h.Name}", "cgroup", NoSuidDevExec | ro, h.Options);
        }
        sys.Mount(null, dir, null, MountFlags.Remount | ro | NoSuidDevExec, "mode=755");
    }
}
