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
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp");
        using (var fs = new FileStream(tmp, new FileStreamOptions
               {
                   Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None,
                   UnixCreateMode = mode, Options = FileOptions.None,
               }))
        {
            fs.Write(content);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        if (syncDirectory) SyncDirectory(dir);
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
