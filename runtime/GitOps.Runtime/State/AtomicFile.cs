using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace GitOps.Runtime.State;

/// <summary>
/// Crash-safe writes: write a temporary file beside the target, fsync it, rename over the target and
/// fsync the directory. A reader (or a daemon restarted after kill -9) sees the old or the new
/// content, never a torn file.
/// </summary>
public static class AtomicFile
{
    /// <param name="syncDirectory">
    /// Whether the rename itself must be durable when this returns. Without it a crash may leave the
    /// previous content in place, never a torn or empty file: right for state that is re-checked
    /// on restart anyway.
    /// </param>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        bool syncDirectory = true)
    {
        var dir = Path.GetDirectoryName(path)!;
        var tmp = TempPath(path);
        try
        {
            WriteDurably(tmp, content, mode);
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            // A full disk (or any failure) leaves the previous file as it was and no temporary file beside it.
            TryDelete(tmp);
            throw;
        }
        if (syncDirectory) SyncDirectory(dir);
    }

    /// <summary>
    /// Creates <paramref name="path"/> with <paramref name="content"/> only if it does not exist yet, atomically: the
    /// content is made durable in a temporary file first and then linked into place (link(2) never replaces), so the
    /// file appears whole or not at all — never empty after a full disk. False when the file already existed.
    /// </summary>
    public static bool CreateNew(string path, ReadOnlySpan<byte> content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var tmp = TempPath(path);
        try
        {
            WriteDurably(tmp, content, mode);
            try { Linux.Sys.Link(tmp, path); }
            catch (Linux.ErrnoException e) when (e.Errno == Linux.Errno.EEXIST) { return false; }
        }
        finally { TryDelete(tmp); }
        SyncDirectory(Path.GetDirectoryName(path)!);
        return true;
    }

    /// <summary>Beside the target (same filesystem, so the rename is atomic), named so no two writers share one.</summary>
    static string TempPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    static void WriteDurably(string tmp, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        using var fs = new FileStream(tmp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
            UnixCreateMode = mode, Options = FileOptions.None,
        });
        fs.Write(content);
        fs.Flush(flushToDisk: true);
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Temporary files a crash left beside state files (".NAME.PID.GUID.tmp"), removed at start.</summary>
    public static int RemoveStale(string dir)
    {
        if (!Directory.Exists(dir)) return 0;
        var removed = 0;
        foreach (var f in Directory.EnumerateFiles(dir, ".*.tmp"))
        {
            try { File.Delete(f); removed++; } catch (IOException) { }
        }
        return removed;
    }

    public static void WriteJson<T>(string path, T value, JsonTypeInfo<T> type, bool syncDirectory = true) =>
        Write(path, JsonSerializer.SerializeToUtf8Bytes(value, type), syncDirectory: syncDirectory);

    public static T? ReadJson<T>(string path, JsonTypeInfo<T> type) where T : class
    {
        if (!File.Exists(path)) return null;
        return JsonSerializer.Deserialize(File.ReadAllBytes(path), type);
    }

    /// <summary>fsync of a directory makes a rename in it durable.</summary>
    public static void SyncDirectory(string dir)
    {
        try
        {
            using var fd = Linux.Sys.Open(dir, Linux.Sys.O_RDONLY | Linux.Sys.O_DIRECTORY);
            Linux.Sys.Fsync(fd);
        }
        catch (Linux.ErrnoException) { /* some filesystems refuse fsync on directories; the rename is still atomic */ }
    }
}
