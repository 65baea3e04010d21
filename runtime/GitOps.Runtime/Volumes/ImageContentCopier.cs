using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Volumes;

/// <summary>
/// Docker's copy-up: a volume mounted where the image has content starts with a copy of that
/// content (owners, modes and all) when the volume is empty, and takes the owner and mode of the
/// image's directory. The image is seen as the container will see it: its layers merged by a
/// read-only overlay mounted in a private mount namespace of a dedicated thread, so nothing of it
/// shows on the host and it vanishes when the thread ends.
/// </summary>
internal static class ImageContentCopier
{
    /// <param name="layersBottomFirst">The image's unpacked layers.</param>
    /// <param name="pathInImage">Where the volume is mounted in the container.</param>
    /// <param name="volumeRoot">The directory the container will see at <paramref name="pathInImage"/>.</param>
    /// <param name="scratch">An unused directory under the daemon's root, for the overlay.</param>
    /// <returns>Whether anything was copied.</returns>
    public static bool Populate(IReadOnlyList<string> layersBottomFirst, string pathInImage, string volumeRoot, string scratch)
    {
        if (layersBottomFirst.Count == 0) return false;
        var copied = false;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                string view;
                if (layersBottomFirst.Count == 1) view = layersBottomFirst[0]; // overlayfs needs two lower layers or an upper
                else
                {
                    // CLONE_NEWNS on this thread only (it implies a private fs struct); the thread is
                    // never reused, so the namespace and the overlay die with it.
                    Sys.Unshare((int)Namespaces.Mount);
                    Sys.Mount(null, "/", null, MountFlags.Recursive | MountFlags.Private);
                    Directory.CreateDirectory(scratch);
                    MountReadOnlyOverlay(layersBottomFirst, scratch);
                    view = scratch;
                }
                var source = RootfsBuilder.ResolveInRoot(view, pathInImage, LinuxContainerSyscalls.Instance);
                if (!Sys.TryLstat(source, out var st, out _) || !st.IsDirectory) return;
                if (!Directory.EnumerateFileSystemEntries(volumeRoot).Any())
                {
                    TreeCopier.CopyContents(source, volumeRoot);
                    copied = true;
                }
                TreeCopier.CopyOwnership(source, volumeRoot);
            }
            catch (Exception e) { error = e; }
        }, maxStackSize: 1 << 20) { Name = "volume-copy-up", IsBackground = true };
        thread.Start();
        thread.Join();
        try { if (Directory.Exists(scratch)) Directory.Delete(scratch); } catch (IOException) { }
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return copied;
    }

    static void MountReadOnlyOverlay(IReadOnlyList<string> layersBottomFirst, string target)
    {
        static string Escape(string p) => p.Replace("\\", "\\\\").Replace(":", "\\:").Replace(",", "\\,");
        var lowers = layersBottomFirst.Reverse().ToList(); // overlayfs wants the top layer first
        var options = "lowerdir=" + string.Join(':', lowers.Select(Escape));
        if (options.Length <= 3800)
        {
            Sys.Mount("overlay", target, "overlay", MountFlags.ReadOnly, options);
            return;
        }
        using var fs = Sys.FsOpen("overlay");
        Sys.FsConfigString(fs, "source", "overlay");
        foreach (var lower in lowers) Sys.FsConfigString(fs, "lowerdir+", lower);
        Sys.FsConfigCreate(fs);
        using var mnt = Sys.FsMount(fs, 1 /* MOUNT_ATTR_RDONLY */);
        Sys.MoveMount(mnt, target);
    }
}
