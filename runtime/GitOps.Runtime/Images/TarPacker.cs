using System.Formats.Tar;
using System.Text;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Images;

/// <summary>
/// Packs a directory tree into a layer tar: sorted, with owners, modes, times, devices, hard links and
/// xattrs, and no clock-dependent header fields, so the same tree always gives the same digest.
/// With <see cref="TranslateOverlay"/> an overlay upper directory becomes an OCI diff: whiteout
/// devices become ".wh." files and opaque directories get a ".wh..wh..opq" entry.
/// </summary>
public sealed class TarPacker
{
    public bool TranslateOverlay { get; init; }

    /// <summary>Paths (relative, no leading slash) left out of the archive, e.g. mount points.</summary>
    public IReadOnlySet<string> Exclude { get; init; } = new HashSet<string>();

    public void Pack(string sourceDir, Stream output)
    {
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            var links = new Dictionary<(ulong Dev, ulong Ino), string>();
            Walk(sourceDir, "", writer, links);
        }
        // TarWriter writes nothing at all for no entries; a tar reader wants the end-of-archive
        // blocks. An empty layer is then the well-known 1024 zero bytes, as Docker's.
        if (!_wrote) output.Write(new byte[1024]);
    }

    bool _wrote;

    void Walk(string root, string relDir, TarWriter writer, Dictionary<(ulong, ulong), string> links)
    {
        var dir = relDir.Length == 0 ? root : Path.Combine(root, relDir);
        var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var rel = relDir.Length == 0 ? name! : relDir + "/" + name;
            if (Exclude.Contains(rel)) continue;
            var full = Path.Combine(root, rel);
            var st = Sys.Lstat(full);
            _wrote = true;

            if (TranslateOverlay && st.IsOverlayWhiteout)
            {
                writer.WriteEntry(Header(TarEntryType.RegularFile, (relDir.Length == 0 ? "" : relDir + "/") + ".wh." + name, st, null));
                continue;
            }

            switch (st.Type)
            {
                case FileStat.S_IFDIR:
                    writer.WriteEntry(Header(TarEntryType.Directory, rel + "/", st, full));
                    if (TranslateOverlay && Sys.GetXattr(full, "trusted.overlay.opaque") is [(byte)'y'])
                        writer.WriteEntry(Header(TarEntryType.RegularFile, rel + "/.wh..wh..opq", st with { Mode = FileStat.S_IFREG }, null));
                    Walk(root, rel, writer, links);
                    break;
                case FileStat.S_IFREG:
                    if (st.Links > 1)
                    {
                        if (links.TryGetValue((st.Device, st.Inode), out var first))
                        {
                            var hard = Header(TarEntryType.HardLink, rel, st, full);
                            hard.LinkName = first;
                            writer.WriteEntry(hard);
                            break;
                        }
                        links[(st.Device, st.Inode)] = rel;
                    }
                    var file = Header(TarEntryType.RegularFile, rel, st, full);
                    using (var data = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
                    {
                        file.DataStream = data;
                        writer.WriteEntry(file);
                    }
                    break;
                case FileStat.S_IFLNK:
                    var link = Header(TarEntryType.SymbolicLink, rel, st, full);
                    link.LinkName = Sys.ReadLink(full);
                    writer.WriteEntry(link);
                    break;
                case FileStat.S_IFCHR or FileStat.S_IFBLK:
                    var dev = Header(st.Type == FileStat.S_IFCHR ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, rel, st, full);
                    dev.DeviceMajor = (int)st.RdevMajor;
                    dev.DeviceMinor = (int)st.RdevMinor;
                    writer.WriteEntry(dev);
                    break;
                case FileStat.S_IFIFO:
                    writer.WriteEntry(Header(TarEntryType.Fifo, rel, st, full));
                    break;
                // Sockets cannot be archived (neither Docker nor tar keep them).
            }
        }
    }

    static PaxTarEntry Header(TarEntryType type, string name, FileStat st, string? pathForXattrs)
    {
        var attrs = new Dictionary<string, string>();
        if (pathForXattrs is not null)
        {
            foreach (var x in Sys.ListXattrs(pathForXattrs))
            {
                // Overlay's own bookkeeping (opaque, redirect, origin) is translated or dropped, never copied.
                if (x.StartsWith("trusted.overlay.", StringComparison.Ordinal)) continue;
                if (Sys.GetXattr(pathForXattrs, x) is { } value) attrs["SCHILY.xattr." + x] = Encoding.Latin1.GetString(value);
            }
        }
        var mtime = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSeconds);
        // atime/ctime are written only when given; leaving them out keeps the archive reproducible.
        return new PaxTarEntry(type, name, attrs)
        {
            Uid = (int)st.Uid,
            Gid = (int)st.Gid,
            Mode = (UnixFileMode)(st.Mode & 0xFFF),
            ModificationTime = mtime,
        };
    }
}

