using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Volumes;

/// <summary>
/// Bytes of the files under a directory, as Docker's system df counts them: the sizes of regular
/// files and symlinks, each inode once however many hard links it has; directories themselves
/// count nothing. Symlinks are not followed.
/// </summary>
public static class DirectorySize
{
    public static long Of(string path)
    {
        var seen = new HashSet<(ulong, ulong)>();
        return Walk(path, seen);
    }

    static long Walk(string dir, HashSet<(ulong, ulong)> seen)
    {
        long total = 0;
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateFileSystemEntries(dir).ToList(); }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException or IOException) { return 0; }
        foreach (var entry in entries)
        {
            if (!Sys.TryLstat(entry, out var st, out _)) continue;
            if (st.IsDirectory)
            {
                total += Walk(entry, seen);
                continue;
            }
            if (st.Links > 1 && !seen.Add((st.Device, st.Inode))) continue;
            total += st.Size;
        }
        return total;
    }
}
