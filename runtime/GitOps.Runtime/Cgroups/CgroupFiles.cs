using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Cgroups;

/// <summary>Reads and writes cgroupfs control files with errors that say which file and value.</summary>
internal static class CgroupFiles
{
    public static void Write(string dir, string file, string value)
    {
        var path = Path.Combine(dir, file);
        try
        {
            using var fd = Sys.Open(path, Sys.O_WRONLY | Sys.O_CREAT, 0x1A4);
            Sys.WriteAll(fd, System.Text.Encoding.ASCII.GetBytes(value));
        }
        catch (ErrnoException e)
        {
            throw new IOException($"cannot write \"{value}\" to {path}: {ErrnoException.Describe(e.Errno)}", e);
        }
    }

    public static string? Read(string dir, string file)
    {
        try { return File.ReadAllText(Path.Combine(dir, file)); }
        catch (IOException) { return null; }
    }

    public static long? ReadLong(string dir, string file) =>
        long.TryParse(Read(dir, file)?.Trim(), out var v) ? v : null;

    /// <summary>A "key value" line of a flat keyed file such as memory.events or memory.oom_control.</summary>
    public static long? ReadKey(string dir, string file, string key)
    {
        foreach (var line in (Read(dir, file) ?? "").Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out var v)) return v;
        }
        return null;
    }

    public static IReadOnlyList<int> Pids(string dir) =>
        (Read(dir, "cgroup.procs") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.TryParse(s, out var p) ? p : 0).Where(p => p > 0).ToList();

    /// <summary>rmdir of a cgroup can fail with EBUSY for a moment after its last task exited.</summary>
    public static void RemoveDir(string dir)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir);
                return;
            }
            catch (IOException) when (attempt < 500)
            {
                Thread.Sleep(1);
            }
        }
    }
}
