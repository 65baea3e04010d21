using System.Formats.Tar;
using System.Text;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Images;

/// <summary>
/// Unpacks a layer tar into a directory the way overlayfs wants it: owners, modes, times, devices,
/// hard links and extended attributes kept; OCI whiteouts turned into overlay whiteouts
/// (".wh.name" becomes a 0/0 character device, ".wh..wh..opq" the trusted.overlay.opaque xattr).
/// </summary>
public static class TarUnpacker
{
    const string WhiteoutPrefix = ".wh.";
    const string OpaqueMarker = ".wh..wh..opq";
    const string XattrPrefix = "SCHILY.xattr.";

    /// <summary>Unpacks <paramref name="tar"/> (uncompressed) into <paramref name="destination"/>; returns the bytes of file content written.</summary>
    public static long Unpack(Stream tar, string destination)
    {
        Directory.CreateDirectory(destination);
        // Touch what the confined thread will use so that nothing needs loading from disk after chroot.
        using var reader = new TarReader(tar, leaveOpen: true);
        _ = Path.GetDirectoryName("/a/b");
        return ConfinedThread.Run(destination, () => UnpackConfined(reader), "layer-unpack");
    }

    static long UnpackConfined(TarReader reader)
    {
        long size = 0;
        var directories = new List<(string Path, DateTimeOffset Mtime)>();
        TarEntry? entry;
        while ((entry = reader.GetNextEntry()) is not null)
        {
            var name = Normalize(entry.Name);
            if (name is null) continue; // the root itself, or an empty name
            var path = "/" + name;
            var parent = Path.GetDirectoryName(path)!;
            var leaf = Path.GetFileName(path);
            EnsureDirectory(parent);

            if (leaf == OpaqueMarker)
            {
                Sys.SetXattr(parent, "trusted.overlay.opaque", "y"u8);
                continue;
            }
            if (leaf.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                var hidden = Path.Combine(parent, leaf[WhiteoutPrefix.Length..]);
                RemoveExisting(hidden, keepDirectory: false);
                Sys.Mknod(hidden, FileStat.S_IFCHR, 0, 0);
                continue;
            }

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    RemoveExisting(path, keepDirectory: true);
                    if (!Directory.Exists(path)) Directory.CreateDirectory(path);
                    Own(path, entry, symlink: false);
                    directories.Add((path, entry.ModificationTime));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    RemoveExisting(path, keepDirectory: false);
                    using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                    {
                        if (entry.DataStream is not null) entry.DataStream.CopyTo(fs);
                        size += fs.Length;
                    }
                    Own(path, entry, symlink: false);
                    Times(path, entry.ModificationTime);
                    break;
                case TarEntryType.SymbolicLink:
                    RemoveExisting(path, keepDirectory: false);
                    Sys.Symlink(entry.LinkName, path);
                    Own(path, entry, symlink: true);
                    Times(path, entry.ModificationTime);
                    break;
                case TarEntryType.HardLink:
                    RemoveExisting(path, keepDirectory: false);
                    var target = Normalize(entry.LinkName) ?? throw new InvalidDataException($"hard link {name} has no target");
                    Sys.Link("/" + target, path);
                    break;
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    RemoveExisting(path, keepDirectory: false);
                    var type = entry.EntryType switch
                    {
                        TarEntryType.CharacterDevice => FileStat.S_IFCHR,
                        TarEntryType.BlockDevice => FileStat.S_IFBLK,
                        _ => FileStat.S_IFIFO,
                    };
                    var (major, minor) = entry is PosixTarEntry p ? (p.DeviceMajor, p.DeviceMinor) : (0, 0);
                    Sys.Mknod(path, type | (uint)entry.Mode, (uint)major, (uint)minor);
                    Own(path, entry, symlink: false);
                    Times(path, entry.ModificationTime);
                    break;
                default:
                    // Global PAX headers, GNU sparse/volume entries: nothing to create.
                    break;
            }
        }
        // Directory times last: creating their children changed them.
        for (var i = directories.Count - 1; i >= 0; i--) Times(directories[i].Path, directories[i].Mtime);
        return size;
    }

    /// <summary>"./a/b/", "/a/b" and "a//b" all become "a/b"; ".." cannot climb (we are chrooted anyway).</summary>
    internal static string? Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    static void EnsureDirectory(string dir)
    {
        if (dir == "/" || Directory.Exists(dir)) return;
        if (Sys.TryLstat(dir, out var st, out _) && !st.IsDirectory) File.Delete(dir);
        Directory.CreateDirectory(dir);
    }

    static void RemoveExisting(string path, bool keepDirectory)
    {
        if (!Sys.TryLstat(path, out var st, out _)) return;
        if (st.IsDirectory)
        {
            if (!keepDirectory) Directory.Delete(path, recursive: true);
        }
        else File.Delete(path);
    }

    static void Own(string path, TarEntry entry, bool symlink)
    {
        Sys.Lchown(path, (uint)entry.Uid, (uint)entry.Gid);
        // chown clears setuid/setgid, so the mode goes on afterwards; symlinks have no mode of their own.
        if (!symlink) Sys.Chmod(path, (uint)entry.Mode & 0xFFF);
        if (entry is PaxTarEntry pax)
        {
            foreach (var (key, value) in pax.ExtendedAttributes)
            {
                if (!key.StartsWith(XattrPrefix, StringComparison.Ordinal)) continue;
                var xattr = key[XattrPrefix.Length..];
                // PAX stores xattr values as raw bytes mapped one-to-one onto chars.
                try { Sys.SetXattr(path, xattr, Encoding.Latin1.GetBytes(value)); }
                catch (ErrnoException e) when (e.Errno is Errno.EOPNOTSUPP or Errno.EPERM) { }
            }
        }
    }

    static void Times(string path, DateTimeOffset mtime)
    {
        var ticks = mtime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        Sys.SetTimesNoFollow(path, ticks / TimeSpan.TicksPerSecond, (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }
}
