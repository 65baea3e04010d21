using System.Security.Cryptography;
using System.Text;

namespace GitOps.Reconciler.Reconcile.Caching;

/// <summary>
/// What the files a compile read looked like, by metadata (kind, size, modification time, link target; a directory
/// by every entry under it): checking them costs a stat per file, where hashing bound directories and build contexts
/// again would cost reading them. An editor's save, a new file in a build context, a file removed or replaced by a
/// link all change a stamp.
/// </summary>
internal sealed class InputStamps
{
    readonly (string Path, string Stamp)[] _items;

    InputStamps((string, string)[] items, bool racy)
    {
        _items = items;
        Racy = racy;
    }

    /// <summary>
    /// Some input was modified shortly before or after the load started: what was read may already differ from what
    /// was stamped, or a second edit may land in the same timestamp tick, so the compile must not be reused (Git's
    /// "racily clean" rule). <see cref="RacyWindow"/> covers filesystems whose timestamps tick once a second.
    /// </summary>
    public bool Racy { get; }

    public int Count => _items.Length;

    public static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(2);

    /// <param name="paths">Full paths of what the load read.</param>
    /// <param name="since">When the load started (UTC).</param>
    public static InputStamps Take(IEnumerable<string> paths, DateTime since)
    {
        var racy = false;
        since -= RacyWindow;
        var items = paths.Distinct(StringComparer.Ordinal).Select(p => (p, Stamp(p, since, ref racy))).ToArray();
        return new InputStamps(items, racy);
    }

    /// <summary>Whether every input still looks as it did when stamped.</summary>
    public bool Unchanged()
    {
        var ignored = false;
        foreach (var (path, stamp) in _items)
            if (Stamp(path, DateTime.MaxValue, ref ignored) != stamp) return false;
        return true;
    }

    static string Stamp(string path, DateTime since, ref bool racy)
    {
        try
        {
            var info = new FileInfo(path);
            // Links are stamped by their target text, never followed: that is what the loader's tree checks look at.
            if (info.LinkTarget is { } link) return "l:" + link;
            if (info.Exists)
            {
                racy |= info.LastWriteTimeUtc >= since;
                return $"f:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
            }
            var dir = new DirectoryInfo(path);
            if (!dir.Exists) return "-";
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var entries = new List<FileSystemInfo>();
            Collect(dir, entries);
            foreach (var e in entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                racy |= e.LastWriteTimeUtc >= since;
                var kind = e.LinkTarget is { } target ? "l:" + target : e is FileInfo f ? $"f:{f.Length}" : "d";
                sha.AppendData(Encoding.UTF8.GetBytes($"{Path.GetRelativePath(path, e.FullName)}\0{kind}\0{e.LastWriteTimeUtc.Ticks}\0"));
            }
            return "d:" + Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable now: a value no stamp taken earlier has, so the compile is redone and reports it.
            return "!" + e.GetType().Name;
        }
    }

    /// <summary>Every entry under <paramref name="dir"/> (directories too: an empty one added counts), not descending through links.</summary>
    static void Collect(DirectoryInfo dir, List<FileSystemInfo> into)
    {
        foreach (var entry in dir.EnumerateFileSystemInfos())
        {
            into.Add(entry);
            if (entry is DirectoryInfo sub && entry.LinkTarget is null) Collect(sub, into);
        }
    }
}
