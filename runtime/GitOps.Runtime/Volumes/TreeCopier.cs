using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Volumes;

/// <summary>
/// Copies a directory tree keeping what a tar round trip keeps: file types (devices, fifos,
/// symlinks), hard links, owners, modes, extended attributes and modification times. Overlay
/// bookkeeping (whiteouts, trusted.overlay.* attributes) is not content and is left behind.
/// </summary>
internal static class TreeCopier
{
    public static void CopyContents(string source, string destination)
    {
        var links = new Dictionary<(ulong, ulong), string>();
        CopyChildren(source, destination, links);
    }

    /// <summary>Owner and permission bits of <paramref name="source"/> onto <paramref name="destination"/>.</summary>
    public static void CopyOwnership(string source, string destination)
    {
        var st = Sys.Lstat(source);
        Sys.Lchown(destination, st.Uid, st.Gid);
        Sys.Chmod(destination, st.Permissions);
    }

    static void CopyChildren(string source, string destination, Dictionary<(ulong, ulong), string> links)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(source).ToList())
        {
            var target = Path.Combine(destination, Path.GetFileName(entry));
            var st = Sys.Lstat(entry);
            if (st.IsOverlayWhiteout) continue;
            if (!st.IsDirectory && st.Links > 1)
            {
                if (links.TryGetValue((st.Device, st.Inode), out var first))
                {
                    Sys.Link(first, target);
                    continue;
                }
                links[(st.Device, st.Inode)] = target;
            }
            switch (st.Type)
            {
                case FileStat.S_IFDIR:
                    Directory.CreateDirectory(target);
                    CopyChildren(entry, target, links);
                    break;
                case FileStat.S_IFREG:
                    File.Copy(entry, target);
                    break;
                case FileStat.S_IFLNK:
                    Sys.Symlink(Sys.ReadLink(entry), target);
                    break;
                case FileStat.S_IFCHR or FileStat.S_IFBLK or FileStat.S_IFIFO:
                    Sys.Mknod(target, st.Mode, st.RdevMajor, st.RdevMinor);
                    break;
                default:
                    continue; // sockets belong to a process, not to an image
            }
            // chown first (it clears set-id bits and file capabilities), then mode, attributes, time.
            Sys.Lchown(target, st.Uid, st.Gid);
            if (!st.IsSymlink)
            {
                Sys.Chmod(target, st.Permissions);
                foreach (var name in Sys.ListXattrs(entry))
                {
                    if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal)) continue;
                    if (Sys.GetXattr(entry, name) is { } value) Sys.SetXattr(target, name, value);
                }
            }
            Sys.SetTimesNoFollow(target, st.MtimeSeconds, st.MtimeNanos);
        }
    }
}
